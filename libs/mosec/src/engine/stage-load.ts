import { now } from './clock';

/** How loaded a stage was since the last sample: what an autoscaler decides on. */
export interface LoadSample {
  /** Share of its workers' time spent in batches, 0..1. */
  busy: number;
  /** Tasks waiting now. */
  queued: number;
  /** Workers taking batches now. */
  workers: number;
}

/** What the stage has run so far, for an operator. */
export interface BatchStatistics {
  batches: number;
  items: number;
  /** Milliseconds from dispatch to result, summed. */
  forwardMs: number;
}

/**
 * What a stage measures of its batches: how much of its workers' time went to batches since the
 * last sample, and totals for an operator.
 */
export class StageLoad {
  readonly statistics: BatchStatistics = { batches: 0, items: 0, forwardMs: 0 };
  private busyMs = 0;
  private sampledAt = now();

  /** A batch of `items`, dispatched at `dispatchedAt`, is done at `at`. */
  batchDone(dispatchedAt: number, items: number, at: number): void {
    const took = at - dispatchedAt;
    this.busyMs += at - Math.max(dispatchedAt, this.sampledAt);
    this.statistics.batches++;
    this.statistics.items += items;
    this.statistics.forwardMs += took;
  }

  /** The busy share since the last sample, counting the batches still running (dispatched at `running`). */
  sample(running: Iterable<number>, queued: number, workers: number): LoadSample {
    const at = now();
    let busy = this.busyMs;
    for (const dispatchedAt of running) busy += at - Math.max(dispatchedAt, this.sampledAt);
    const span = (at - this.sampledAt) * Math.max(1, workers);
    this.busyMs = 0;
    this.sampledAt = at;
    return { busy: span > 0 ? Math.min(1, busy / span) : 0, queued, workers };
  }
}
