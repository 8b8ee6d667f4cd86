import 'reflect-metadata';
import fc from 'fast-check';
import { Stage } from '../decorators/stage.decorator';
import { defaultIntraOpThreads, stageWorkerCount } from './threads';

describe('defaultIntraOpThreads', () => {
  it('gives the workers of a stage together no more threads than cores, each at least one, and leaves no core idle that each could use', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 32 }), fc.integer({ min: 1, max: 128 }), (workers, cores) => {
        const threads = defaultIntraOpThreads(workers, cores);
        expect(Number.isInteger(threads) && threads >= 1).toBe(true);
        if (workers <= cores) expect(workers * threads).toBeLessThanOrEqual(cores);
        else expect(threads).toBe(1);
        expect(workers * (threads + 1)).toBeGreaterThan(cores);
      }),
    );
  });

  it('treats no worker count (or 0) as one worker', () => {
    expect(defaultIntraOpThreads(0, 4)).toBe(defaultIntraOpThreads(1, 4));
    expect(defaultIntraOpThreads(undefined, 4)).toBe(defaultIntraOpThreads(1, 4));
  });

  it('counts the cores this process may run on (its CPU affinity), not every core of the machine', () => {
    jest.isolateModules(() => {
      // A process pinned to 3 cores of an 8-core machine.
      jest.doMock('node:os', () => ({ ...jest.requireActual('node:os'), availableParallelism: () => 3, cpus: () => new Array(8).fill({}) }));
      const { defaultIntraOpThreads: pinned } = require('./threads') as typeof import('./threads');
      expect(pinned()).toBe(3);
      expect(pinned(2)).toBe(1);
    });
    jest.dontMock('node:os');
  });
});

describe('stageWorkerCount', () => {
  @Stage({ num: 3 })
  class ThreeWorkers {}

  @Stage()
  class OneWorker {}

  it('reads `num` from the @Stage class or one of its instances', () => {
    expect(stageWorkerCount(ThreeWorkers)).toBe(3);
    expect(stageWorkerCount(new ThreeWorkers())).toBe(3);
    expect(stageWorkerCount(OneWorker)).toBe(1);
    expect(stageWorkerCount({})).toBe(1);
  });
});
