import type { LoadSample } from './stage-load';

export interface ScalingPolicy {
  min: number;
  max: number;
  /** Items a worker takes per forward: the stage's `maxBatchSize` (1 for a stage that does not batch). */
  perForward: number;
  /** Milliseconds a stage must stay behind before it gets one more worker. */
  upAfterMs: number;
  /** Milliseconds its load must fit in one worker fewer before one goes. */
  downAfterMs: number;
}

/** Busy share of its workers' time from which a stage counts as using all of them. */
const SATURATED = 0.85;
/** One worker fewer must leave the others at most this busy. */
const HEADROOM = 0.5;

/**
 * Decides from measured load when an elastic stage needs a worker more or one fewer, so nobody tunes
 * a threshold by hand:
 *
 * - behind: its workers are busy (at least 85% of their time in batches) and its queue holds more
 *   than they take in one forward each; after `upAfterMs` of that, one more worker (not while
 *   another is still starting: its effect must show first);
 * - light: its load, in busy worker time, would keep one worker fewer at most half busy, and its
 *   queue holds less than a forward's worth; after `downAfterMs` of that, one fewer.
 */
export class Autoscaler {
  private behindSince?: number;
  private lightSince?: number;

  constructor(private readonly policy: ScalingPolicy) {}

  /** One sample per tick; `starting` are workers spawned and not ready yet. Returns the change wanted. */
  decide(sample: LoadSample, starting: number, at: number): -1 | 0 | 1 {
    const { min, max, perForward, upAfterMs, downAfterMs } = this.policy;
    const { busy, queued, workers } = sample;
    const behind = workers > 0 && busy >= SATURATED && queued > workers * perForward;
    const light = workers > 1 && busy * workers <= (workers - 1) * HEADROOM && queued <= perForward;
    this.behindSince = behind ? (this.behindSince ?? at) : undefined;
    this.lightSince = light ? (this.lightSince ?? at) : undefined;
    const total = workers + starting;
    if (starting === 0 && total < max && this.behindSince !== undefined && at - this.behindSince >= upAfterMs) {
      this.behindSince = at;
      return 1;
    }
    if (starting === 0 && total > min && this.lightSince !== undefined && at - this.lightSince >= downAfterMs) {
      this.lightSince = at;
      return -1;
    }
    return 0;
  }
}
