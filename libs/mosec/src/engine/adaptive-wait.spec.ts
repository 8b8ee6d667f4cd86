import { AdaptiveWait } from './adaptive-wait';
import { ForwardTime } from './forward-time';

describe('AdaptiveWait', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** `count` arrivals spread evenly over `ms`. */
  function arrive(wait: AdaptiveWait, count: number, ms: number): void {
    for (let i = 0; i < count; i++) {
      jest.advanceTimersByTime(ms / count);
      wait.arrived(true);
    }
  }

  /** A model whose forward costs `fixed` ms plus `perItem` ms an item, measured on a few batch sizes. */
  function model(fixed: number, perItem: number, sizes = [1, 8, 32]): ForwardTime {
    const forward = new ForwardTime();
    for (const items of sizes) forward.observe(items, fixed + perItem * items);
    return forward;
  }

  it('does not wait before it has measured anything', () => {
    const wait = new AdaptiveWait(new ForwardTime());
    arrive(wait, 100, 50);
    expect(wait.waitFor(1, 32)).toBe(0);
  });

  it('does not wait when items arrive slower than the fixed part of a forward (low load: latency first)', () => {
    const wait = new AdaptiveWait(model(5, 0.5));
    arrive(wait, 10, 200); // one item every 20 ms
    expect(wait.waitFor(1, 32)).toBe(0);
  });

  it('does not wait at one request at a time, even when a full batch takes long', () => {
    // A request every 9 ms, a batch of one 5 ms, a full batch 27 ms: nothing arrives while one waits.
    const wait = new AdaptiveWait(model(4.6, 0.35, [64, 64, 64, 1, 1, 1]));
    arrive(wait, 20, 180);
    expect(wait.waitFor(1, 64)).toBe(0);
  });

  it('waits to fill the batch, but at most the fixed part of a forward, when items arrive faster (high load)', () => {
    const wait = new AdaptiveWait(model(8, 0.1));
    arrive(wait, 200, 200); // one item per ms
    expect(wait.waitFor(30, 32)).toBeCloseTo(2, 0); // two more items to come, about 1 ms apart
    expect(wait.waitFor(1, 32)).toBeCloseTo(8.1, 1); // capped by a forward of one item
  });

  it('does not wait when every item arrived with no other task in the service (one client at a time)', () => {
    const wait = new AdaptiveWait(model(8, 0.1));
    for (let i = 0; i < 200; i++) {
      jest.advanceTimersByTime(1);
      wait.arrived(false);
    }
    expect(wait.waitFor(1, 32)).toBe(0);
  });

  it('stops waiting within 50 ms of the load dropping', () => {
    const wait = new AdaptiveWait(model(8, 0.1));
    arrive(wait, 400, 200);
    expect(wait.waitFor(1, 32)).toBeGreaterThan(0);
    jest.advanceTimersByTime(60); // the load drops: nothing for 60 ms, then one request
    wait.arrived(true);
    expect(wait.waitFor(1, 32)).toBe(0);
  });
});

describe('AdaptiveWait closing a batch', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('closes a waiting batch once its burst is over: no item for two gaps', () => {
    const forward = new ForwardTime();
    for (let i = 0; i < 5; i++) forward.observe(16, 15); // every batch 16 items, 15 ms: no fit, 15 ms
    const wait = new AdaptiveWait(forward);
    // 16 clients: a burst of 16 items every 20 ms (gap 1.25 ms over the window).
    for (let cycle = 0; cycle < 4; cycle++) {
      for (let i = 0; i < 16; i++) {
        jest.advanceTimersByTime(0.1);
        wait.arrived(true);
      }
      jest.advanceTimersByTime(18.4);
    }
    const firstAt = performance.now();
    for (let i = 0; i < 16; i++) {
      jest.advanceTimersByTime(0.1);
      wait.arrived(true);
    }
    const closesAt = wait.closesAt(firstAt, 16, 64);
    expect(closesAt - performance.now()).toBeLessThan(4); // two gaps after the last item, not 15 ms after the first
    expect(closesAt - performance.now()).toBeGreaterThan(0);
  });

  it('closes at once when it should not wait', () => {
    const wait = new AdaptiveWait(new ForwardTime());
    expect(wait.closesAt(123, 1, 8)).toBe(123);
  });
});
