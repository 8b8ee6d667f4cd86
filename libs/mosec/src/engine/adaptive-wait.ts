import { now } from './clock';
import type { ForwardTime } from './forward-time';

/** Longest an adaptive batch waits, whatever the measurements say. */
const MAX_ADAPTIVE_WAIT_MS = 50;
/** The arrival rate is the count of arrivals over the last `WINDOW_MS`, kept in buckets. */
const BUCKET_MS = 5;
const BUCKETS = 10;
const WINDOW_MS = BUCKET_MS * BUCKETS;
/** A waiting batch closes once no item arrived for this many of the measured gaps: the burst is over. */
const QUIET_GAPS = 2;

/**
 * `maxWaitTime: 'auto'`: how long a partial batch should wait for more items, from what the stage
 * measures. A batch that waits saves the fixed part of one forward for every item it gains, and
 * delays the items it holds: waiting pays only while items arrive faster than that fixed part
 * (high load), and never for longer than it. At low load, and at one request at a time (where
 * nothing can arrive while a batch waits), it does not wait at all.
 *
 * The rate is counted over the last 50 ms only, so that when the load drops the wait stops within
 * that time, instead of making the next requests wait for a batch that will not come. And a waiting
 * batch closes once no item arrived for two gaps: a fixed number of clients (each waiting for its
 * answer before it asks again) arrive in bursts, and once a burst is in, no other item comes.
 *
 * Nor does it wait while every item of the last 50 ms arrived with no other task in the service: one
 * client at a time asks again only once answered, however fast that is, so its next item cannot
 * join a batch that waits (counting its arrivals, it would look like a load worth waiting for
 * whenever one answer came quicker than a forward had).
 */
export class AdaptiveWait {
  private readonly counts = new Array<number>(BUCKETS).fill(0);
  /** Index of the bucket of the current 5 ms, counted from the clock's origin. */
  private bucket = Math.floor(now() / BUCKET_MS);
  private inWindow = 0;
  private lastArrival = -Infinity;
  /** When an item last arrived while another task was in the service. */
  private lastCrowded = -Infinity;

  constructor(private readonly forward: ForwardTime) {}

  /** An item arrived; `crowded`: another task was in the service (in any stage) when it did. */
  arrived(crowded: boolean): void {
    this.lastArrival = now();
    if (crowded) this.lastCrowded = this.lastArrival;
    this.advance();
    this.counts[this.bucket % BUCKETS]++;
    this.inWindow++;
  }

  /** Milliseconds between arrivals over the last 50 ms; Infinity when none arrived. */
  gapMs(): number {
    this.advance();
    return this.inWindow === 0 ? Infinity : WINDOW_MS / this.inWindow;
  }

  /** Milliseconds a batch of `queued` items (of at most `maxBatchSize`) should wait after its first item. */
  waitFor(queued: number, maxBatchSize: number): number {
    return this.waitGiven(this.gapMs(), queued, maxBatchSize);
  }

  /** When a batch whose first item arrived at `firstAt` should close: `firstAt` itself when it should not wait. */
  closesAt(firstAt: number, queued: number, maxBatchSize: number): number {
    const gapMs = this.gapMs();
    const waitMs = this.waitGiven(gapMs, queued, maxBatchSize);
    if (waitMs <= 0) return firstAt;
    return Math.min(firstAt + waitMs, this.lastArrival + QUIET_GAPS * gapMs);
  }

  private waitGiven(gapMs: number, queued: number, maxBatchSize: number): number {
    if (!this.forward.known || this.lastCrowded < now() - WINDOW_MS) return 0;
    const fixedMs = this.forward.estimate(1);
    if (gapMs >= fixedMs) return 0;
    return Math.min(fixedMs, MAX_ADAPTIVE_WAIT_MS, gapMs * (maxBatchSize - queued));
  }

  /** Empties the buckets the clock has moved past. */
  private advance(): void {
    const bucket = Math.floor(now() / BUCKET_MS);
    const passed = Math.min(BUCKETS, bucket - this.bucket);
    for (let step = 1; step <= passed; step++) {
      const index = (this.bucket + step) % BUCKETS;
      this.inWindow -= this.counts[index];
      this.counts[index] = 0;
    }
    this.bucket = bucket;
  }
}
