/** Longest wait before a worker is replaced. */
export const MAX_RESTART_DELAY_MS = 5000;
/** Crashes of ready workers further apart than this do not make the next replacement wait longer. */
const CRASH_MEMORY_MS = 30_000;

/**
 * How long a stage waits before it replaces a worker: a failed start (a fork that fails, a worker
 * that dies warming up) waits 200 ms, then twice as long each time until one is ready; a ready worker
 * that died is replaced at once the first time, and after 200 ms, 400 ms... up to 5 s while others
 * died within the last 30 s, so that a request that kills workers in a loop cannot make the stage
 * fork without pause.
 */
export class RestartBackoff {
  private failedStarts = 0;
  private readonly crashes: number[] = [];

  /** A worker is ready: starts work again. */
  started(): void {
    this.failedStarts = 0;
  }

  /** The delay before the replacement of a worker that exited at `at` (monotonic ms). */
  delayAfter(failedStart: boolean, at: number): number {
    if (failedStart) return Math.min(MAX_RESTART_DELAY_MS, 100 * 2 ** ++this.failedStarts);
    while (this.crashes.length > 0 && at - this.crashes[0] > CRASH_MEMORY_MS) this.crashes.shift();
    this.crashes.push(at);
    const earlier = this.crashes.length - 1;
    return earlier === 0 ? 0 : Math.min(MAX_RESTART_DELAY_MS, 100 * 2 ** earlier);
  }
}
