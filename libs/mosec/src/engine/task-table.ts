import { now } from './clock';
import { Fifo } from './fifo';
import type { Task } from './task';

/**
 * Counts the tasks in the service and expires them at their deadline. Every task gets the same
 * timeout, so deadlines are in creation order: one timer on the oldest task serves them all.
 */
export class TaskTable {
  private active = 0;
  private readonly byDeadline = new Fifo<Task>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly onExpired: (task: Task) => void) {}

  get size(): number {
    return this.active;
  }

  add(task: Task): void {
    this.active++;
    this.byDeadline.push(task);
    if (!this.timer) this.arm();
  }

  /**
   * Called once when a task is answered. Answered tasks leave the deadline queue as soon as they
   * reach its head, so it holds the unanswered ones, not every task of the last `timeout` ms.
   */
  remove(): void {
    this.active--;
    while (this.byDeadline.length > 0 && this.byDeadline.peek()!.finished) this.byDeadline.shift();
  }

  private arm(): void {
    while (this.byDeadline.length > 0 && this.byDeadline.peek()!.finished) this.byDeadline.shift();
    const oldest = this.byDeadline.peek();
    if (!oldest) return;
    // Expired in the check phase, after the poll phase has read what the sockets hold: after the
    // process was paused (SIGSTOP, a long GC), results already waiting answer their tasks first.
    this.timer = setTimeout(() => setImmediate(() => this.expire()), Math.max(0, oldest.deadline - now()));
  }

  private expire(): void {
    this.timer = undefined;
    if (this.closed) return;
    const at = now();
    while (this.byDeadline.length > 0) {
      const task = this.byDeadline.peek()!;
      if (!task.finished && task.deadline > at) break;
      this.byDeadline.shift();
      if (!task.finished) this.onExpired(task);
    }
    this.arm();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
