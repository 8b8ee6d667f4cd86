import 'reflect-metadata';
import { Stage } from '../decorators/stage.decorator';
import { defaultIntraOpThreads, stageWorkerCount } from './threads';

describe('defaultIntraOpThreads', () => {
  it('shares the cores among the workers of a stage, at least one thread each', () => {
    expect(defaultIntraOpThreads(1, 2)).toBe(2);
    expect(defaultIntraOpThreads(2, 2)).toBe(1);
    expect(defaultIntraOpThreads(3, 2)).toBe(1);
    expect(defaultIntraOpThreads(3, 8)).toBe(2);
    expect(defaultIntraOpThreads(0, 4)).toBe(4);
  });

  it('uses the cores this process may run on by default', () => {
    const { availableParallelism } = require('node:os');
    expect(defaultIntraOpThreads()).toBe(availableParallelism());
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
