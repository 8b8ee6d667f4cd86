import { now } from './clock';
import { Fifo } from './fifo';
import type { Task } from './task';

/** Request priority levels, lowest first. */
export const Priority = { LOW: 0, NORMAL: 1, HIGH: 2 } as const;
export const PRIORITY_NAMES = ['low', 'normal', 'high'] as const;

/** Answered entries left in a level are swept out once they are this many and outnumber the live ones. */
const SWEEP_AT = 64;

/**
 * A stage's queue: one first-in first-out line per priority level. The next task is the head of the
 * highest level, where a task rises one level for each `agingMs` it has waited, so a low-priority
 * task waits at most 2 × `agingMs` behind the others before it is served in arrival order with the
 * high ones (it cannot starve). Answered tasks (timed out, client gone) leave the counts at once and
 * their entries are swept out soon after.
 */
export class TaskQueue {
  private readonly levels = [new Fifo<Task>(), new Fifo<Task>(), new Fifo<Task>()];
  private readonly live = [0, 0, 0];
  private readonly answered = [0, 0, 0];
  /** Sum of the costs of the queued tasks. */
  cost = 0;

  constructor(private readonly agingMs: number) {}

  /** Tasks waiting, unanswered. */
  get length(): number {
    return this.live[0] + this.live[1] + this.live[2];
  }

  /** Tasks waiting at each level, lowest first. */
  get byLevel(): readonly number[] {
    return this.live;
  }

  push(task: Task): void {
    const level = task.priority ?? Priority.NORMAL;
    task.queued = true;
    this.cost += task.cost!;
    this.live[level]++;
    this.levels[level].push(task);
  }

  /** A queued task was answered: it no longer counts. */
  discard(task: Task): void {
    if (!task.queued) return;
    task.queued = false;
    const level = task.priority ?? Priority.NORMAL;
    this.cost -= task.cost!;
    this.live[level]--;
    if (++this.answered[level] >= SWEEP_AT && this.answered[level] * 2 >= this.levels[level].length) {
      this.levels[level].keep((entry) => entry.queued === true);
      this.answered[level] = 0;
    }
  }

  /** The task to serve next, or undefined when none waits. */
  peek(): Task | undefined {
    const at = now();
    let next: Task | undefined;
    let nextLevel = -1;
    for (let level = Priority.HIGH; level >= Priority.LOW; level--) {
      const head = this.head(level);
      if (!head) continue;
      const lifted = Math.min(Priority.HIGH, level + Math.floor((at - head.enqueuedAt) / this.agingMs));
      if (lifted > nextLevel || (lifted === nextLevel && head.enqueuedAt < next!.enqueuedAt)) {
        next = head;
        nextLevel = lifted;
      }
    }
    return next;
  }

  /** Takes the task `peek` returned. */
  take(task: Task): void {
    const level = task.priority ?? Priority.NORMAL;
    this.levels[level].shift();
    task.queued = false;
    this.cost -= task.cost!;
    this.live[level]--;
  }

  /** The first unanswered task of a level, dropping the answered ones before it. */
  private head(level: number): Task | undefined {
    const fifo = this.levels[level];
    while (fifo.length > 0 && !fifo.peek()!.queued) {
      fifo.shift();
      this.answered[level]--;
    }
    return fifo.peek();
  }
}
