import { MAX_RESTART_DELAY_MS, RestartBackoff } from './restart-backoff';

describe('RestartBackoff', () => {
  it('replaces a worker that died once at once, and waits longer while workers keep dying', () => {
    const backoff = new RestartBackoff();
    const delays = [0, 1000, 2000, 3000, 4000, 5000, 6000, 7000].map((at) => backoff.delayAfter(false, at));
    expect(delays).toEqual([0, 200, 400, 800, 1600, 3200, MAX_RESTART_DELAY_MS, MAX_RESTART_DELAY_MS]);
  });

  it('forgets crashes after 30 s', () => {
    const backoff = new RestartBackoff();
    backoff.delayAfter(false, 0);
    expect(backoff.delayAfter(false, 1000)).toBe(200);
    expect(backoff.delayAfter(false, 40_000)).toBe(0);
  });

  it('waits after failed starts until a worker is ready again', () => {
    const backoff = new RestartBackoff();
    expect([1, 2, 3].map(() => backoff.delayAfter(true, 0))).toEqual([200, 400, 800]);
    backoff.started();
    expect(backoff.delayAfter(true, 0)).toBe(200);
  });
});
