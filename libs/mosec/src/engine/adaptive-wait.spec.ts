import { AdaptiveWait } from './adaptive-wait';

describe('AdaptiveWait', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** `count` arrivals spread evenly over `ms`. */
  function arrive(wait: AdaptiveWait, count: number, ms: number): void {
    for (let i = 0; i < count; i++) {
      jest.advanceTimersByTime(ms / count);
      wait.arrived();
    }
  }

  it('does not wait before it has measured anything', () => {
    expect(new AdaptiveWait().waitFor(1, 32)).toBe(0);
  });

  it('does not wait when items arrive slower than a forward takes (low load: latency first)', () => {
    const wait = new AdaptiveWait();
    arrive(wait, 10, 200); // one item every 20 ms
    wait.forwarded(5);
    expect(wait.waitFor(1, 32)).toBe(0);
  });

  it('waits to fill the batch, but at most one forward, when items arrive faster (high load: full batches)', () => {
    const wait = new AdaptiveWait();
    arrive(wait, 200, 200); // one item per ms
    wait.forwarded(8);
    expect(wait.waitFor(30, 32)).toBeCloseTo(2, 0); // two more items to come, about 1 ms apart
    expect(wait.waitFor(1, 32)).toBeCloseTo(8, 5); // capped by the forward time
  });

  it('follows the load as it changes', () => {
    const wait = new AdaptiveWait();
    wait.forwarded(8);
    arrive(wait, 400, 200);
    expect(wait.waitFor(1, 32)).toBeGreaterThan(0);
    arrive(wait, 8, 400); // the load drops to one item per 50 ms
    expect(wait.waitFor(1, 32)).toBe(0);
  });
});
