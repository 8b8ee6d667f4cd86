import { now } from './clock';

/** Longest an adaptive batch waits, whatever the measurements say. */
const MAX_ADAPTIVE_WAIT_MS = 50;
/** Arrival rate is measured over windows of this length. */
const RATE_WINDOW_MS = 50;

/**
 * `maxWaitTime: 'auto'`: how long a partial batch should wait for more items, from what the stage
 * measures. Waiting pays only when items arrive faster than a forward takes: then the batch waits
 * long enough to fill, but never longer than one forward (the worker would be busy that long anyway,
 * and items would queue for the next batch). When items arrive slower than that, it does not wait.
 */
export class AdaptiveWait {
  /** Items per ms, smoothed over windows. */
  private rate = 0;
  private windowStart = now();
  private windowArrivals = 0;
  /** A forward's duration in ms, smoothed. */
  private forwardMs = 0;

  arrived(): void {
    this.windowArrivals++;
    const elapsed = now() - this.windowStart;
    if (elapsed < RATE_WINDOW_MS) return;
    const measured = this.windowArrivals / elapsed;
    this.rate = this.rate === 0 ? measured : 0.5 * this.rate + 0.5 * measured;
    this.windowStart = now();
    this.windowArrivals = 0;
  }

  forwarded(durationMs: number): void {
    this.forwardMs = this.forwardMs === 0 ? durationMs : 0.8 * this.forwardMs + 0.2 * durationMs;
  }

  /** Milliseconds a batch of `queued` items (of at most `maxBatchSize`) should wait after its first item. */
  waitFor(queued: number, maxBatchSize: number): number {
    if (this.rate === 0 || this.forwardMs === 0) return 0;
    const gapMs = 1 / this.rate;
    if (gapMs >= this.forwardMs) return 0;
    return Math.min(this.forwardMs, MAX_ADAPTIVE_WAIT_MS, gapMs * (maxBatchSize - queued));
  }
}
