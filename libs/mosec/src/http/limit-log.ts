import { Logger } from '@nestjs/common';

/** One line per limit at most this often, however many clients it stops. */
const EVERY_MS = 10_000;

/**
 * The log line of a limit that clients reach: a warning naming the option, at most one every 10 s
 * (a flood of refused requests is one line, with how many were left unsaid since the last).
 */
export class LimitLog {
  private readonly logger = new Logger('Mosec');
  private lastAt = -Infinity;
  private unsaid = 0;

  constructor(private readonly option: string) {}

  warn(message: string): void {
    const now = Date.now();
    if (now - this.lastAt < EVERY_MS) {
      this.unsaid++;
      return;
    }
    const more = this.unsaid > 0 ? ` (${this.unsaid} more since the last ${this.option} line)` : '';
    this.lastAt = now;
    this.unsaid = 0;
    this.logger.warn(`${message}${more}`);
  }
}

export function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
