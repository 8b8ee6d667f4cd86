import { Autoscaler } from './autoscaler';

const policy = { min: 1, max: 3, perForward: 1, upAfterMs: 2000, downAfterMs: 30_000 };

/** Feeds the same sample every 500 ms for `ms`; returns the changes asked, with when. */
function run(scaler: Autoscaler, sample: { busy: number; queued: number; workers: number }, ms: number, from = 0, starting = 0): Array<[number, number]> {
  const changes: Array<[number, number]> = [];
  for (let at = from; at <= from + ms; at += 500) {
    const change = scaler.decide(sample, starting, at);
    if (change !== 0) changes.push([at, change]);
  }
  return changes;
}

describe('Autoscaler', () => {
  it('adds a worker once its busy workers have stayed behind their queue for upAfterMs', () => {
    const scaler = new Autoscaler(policy);
    expect(run(scaler, { busy: 1, queued: 15, workers: 1 }, 1500)).toEqual([]);
    expect(run(scaler, { busy: 1, queued: 15, workers: 1 }, 0, 2000)).toEqual([[2000, 1]]);
  });

  it('does not add one while another is starting, nor past max', () => {
    const scaler = new Autoscaler(policy);
    expect(run(scaler, { busy: 1, queued: 15, workers: 1 }, 5000, 0, 1)).toEqual([]);
    expect(run(new Autoscaler(policy), { busy: 1, queued: 15, workers: 3 }, 10_000)).toEqual([]);
  });

  it('does not add one for a queue its workers are not busy enough to be behind on (a batch still waiting to fill)', () => {
    expect(run(new Autoscaler(policy), { busy: 0.3, queued: 15, workers: 1 }, 10_000)).toEqual([]);
    expect(run(new Autoscaler(policy), { busy: 1, queued: 1, workers: 1 }, 10_000)).toEqual([]);
  });

  it('removes one after downAfterMs of load that one worker fewer would carry at most half busy, one at a time', () => {
    const scaler = new Autoscaler(policy);
    expect(run(scaler, { busy: 0.1, queued: 0, workers: 3 }, 65_000)).toEqual([
      [30_000, -1],
      [60_000, -1],
    ]);
    // Load that two workers carry at 75% each: none goes.
    expect(run(new Autoscaler(policy), { busy: 0.5, queued: 0, workers: 3 }, 65_000)).toEqual([]);
  });

  it('never goes under min', () => {
    expect(run(new Autoscaler({ ...policy, min: 2 }), { busy: 0, queued: 0, workers: 2 }, 120_000)).toEqual([]);
  });
});
