import { now } from './clock';

/**
 * When a stage dispatches next: at the end of the current event-loop turn (`soon`), so everything that
 * arrived in it (the requests read together, the results of one frame) leaves in one frame instead of
 * the first task alone and the rest after it; or at a given time (`at`), the soonest one asked for.
 */
export class PumpTimer {
  private immediate = false;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;

  constructor(private readonly pump: () => void) {}

  soon(): void {
    if (this.immediate) return;
    this.immediate = true;
    setImmediate(() => {
      this.immediate = false;
      this.pump();
    });
  }

  at(time: number): void {
    if (this.timer && this.timerAt <= time) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = time;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.pump();
    }, Math.max(0, time - now()));
  }

  /** Stops the timer (at shutdown). */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
