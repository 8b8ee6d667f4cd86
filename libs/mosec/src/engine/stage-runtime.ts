import { AdaptiveWait } from './adaptive-wait';
import { now } from './clock';
import { ForwardTime } from './forward-time';
import { FrameWork } from './frame-work';
import { LoadSample, StageLoad } from './stage-load';
import type { Task } from './task';
import { TaskQueue } from './task-queue';
import { PumpTimer } from './pump-timer';
import { slotsFor } from './sequence-slots';
import { Batch, BatchPolicy, newBatch, Slot } from './batch';
import { batchClosesAt, itemCost, itemsPerDispatch, SEND_AHEAD_MIN_FORWARD_MS, sendAheadLead, takeBatch } from './batch-forming';

export interface StageEvents {
  /** A worker overran the stage timeout with this batch; the engine answers its tasks. */
  onBatchTimeout(stage: StageRuntime, batch: Batch): void;
  /** Asked of each task before it is dispatched: true when it was answered instead (its content is quarantined). */
  refuses?(stage: StageRuntime, task: Task): boolean;
  /** Tasks in the service now, in every stage (a partial batch waits only while others are about). */
  activeTasks?(): number;
}

/**
 * One stage: its queue, its dynamic batcher and its workers. A batch closes when it is full or when
 * its first task has waited `maxWaitTime`; an idle worker takes the next batch (work sharing). The
 * queue serves higher priorities first (see TaskQueue). A worker of a batching stage whose forward
 * is long gets its next batch shortly before the current one should end (see `SEND_AHEAD_MS`): it
 * holds at most that one batch beyond the one it runs.
 */
export class StageRuntime {
  readonly queue: TaskQueue;
  private readonly idle: Slot[] = [];
  private readonly running = new Map<Slot, Batch>();
  /** Batches sent ahead to busy workers: each starts when the worker's running batch is done. */
  private readonly sentAhead = new Map<Slot, Batch>();
  /** Workers leaving: they finish the batch they run and take no other. */
  private readonly retiring = new Set<Slot>();
  /** The slots of each worker of a generation stage: one per sequence it may run (see SequenceSlot). */
  private readonly slots = new Map<Slot, Slot[]>();
  private readonly pumpTimer = new PumpTimer(() => this.pump());
  private readonly adaptive?: AdaptiveWait;
  private readonly forwardTime = new ForwardTime();
  private readonly frameWork = new FrameWork();
  readonly load = new StageLoad();

  /** `agingMs`: how long a task waits before it rises one priority level. */
  constructor(
    readonly name: string,
    readonly policy: BatchPolicy,
    private readonly events: StageEvents,
    agingMs = 1000,
  ) {
    if (policy.adaptiveWait && policy.maxBatchSize > 1) this.adaptive = new AdaptiveWait(this.forwardTime);
    this.queue = new TaskQueue(agingMs);
  }

  get workerCount(): number {
    return this.idle.length + this.running.size;
  }

  /** Tasks waiting in the queue, unanswered. */
  get queued(): number {
    return this.queue.length;
  }

  enqueue(task: Task): void {
    task.enqueuedAt = now();
    task.cost = itemCost(this.policy, task);
    this.adaptive?.arrived((this.events.activeTasks?.() ?? Infinity) > 1);
    this.queue.push(task);
    this.pumpTimer.soon();
  }

  /**
   * A queued task was answered (it timed out, its client went away): it leaves the queue's counts at
   * once, so a stage whose workers cannot keep up (or are stopped) does not keep every expired task.
   */
  discard(task: Task): void {
    this.queue.discard(task);
  }

  /** The share of worker time spent in batches since the last sample, the queue, and the workers. */
  sampleLoad(): LoadSample {
    const running = [...this.running.values()].map((batch) => batch.startedAt);
    return this.load.sample(running, this.queued, this.workerCount);
  }

  /**
   * Takes a worker out of the stage (scaling down): at once if idle (true), else after the batch it
   * runs, whose results still come back (false: the caller waits for `isRetired`).
   */
  retire(worker: Slot): boolean {
    let busy = false;
    for (const slot of this.slotsOf(worker)) {
      const at = this.idle.indexOf(slot);
      if (at >= 0) this.idle.splice(at, 1);
      if (this.running.has(slot)) {
        this.retiring.add(slot);
        busy = true;
      }
    }
    return !busy;
  }

  /** A retiring worker has finished its last batch (and the one sent ahead to it, if any). */
  isRetired(worker: Slot): boolean {
    return this.slotsOf(worker).every((slot) => !this.running.has(slot) && !this.sentAhead.has(slot) && !this.idle.includes(slot));
  }

  /** A worker's heartbeat: `done` items of its batch `batchId` are finished. */
  progress(worker: Slot, batchId: number, done: number): void {
    const batch = this.batchById(worker, batchId);
    if (!batch || done <= batch.done) return;
    batch.done = done;
    batch.progressAt = now();
  }

  addWorker(worker: Slot): void {
    const slots = slotsFor(worker, this.policy.generation, this.policy.maxBatchSize);
    if (slots[0] !== worker) this.slots.set(worker, slots);
    this.idle.push(...slots);
    this.pumpTimer.soon();
  }

  /** The running batch `batchId` of a worker (of one of its sequence slots), if it still runs it. */
  batchById(worker: Slot, batchId: number): Batch | undefined {
    for (const slot of this.slotsOf(worker)) {
      const batch = this.running.get(slot);
      if (batch?.id === batchId) return batch;
    }
    return undefined;
  }

  /** Every batch the stage's workers run now (one task each on a generation stage: its running sequences). */
  runningBatches(): IterableIterator<Batch> {
    return this.running.values();
  }

  private slotsOf(worker: Slot): Slot[] {
    return this.slots.get(worker) ?? [worker];
  }

  /** The batch a worker holds with this task in it (running, or sent ahead), and the task's place in it. */
  batchOf(task: Task): { batch: Batch; index: number } | undefined {
    for (const batches of [this.running, this.sentAhead]) {
      for (const batch of batches.values()) {
        const index = batch.tasks.indexOf(task);
        if (index >= 0) return { batch, index };
      }
    }
    return undefined;
  }

  /** The batch a worker is running now, if any (the oldest of its sequences' on a generation stage). */
  runningBatch(worker: Slot): Batch | undefined {
    for (const slot of this.slotsOf(worker)) {
      const batch = this.running.get(slot);
      if (batch) return batch;
    }
    return undefined;
  }

  /**
   * Forgets a worker (it exited or was killed) and returns the batches it was running (one at most,
   * but for a generation stage's). A batch sent ahead to it had not begun: its tasks go back to the
   * queue, for another worker.
   */
  removeWorker(worker: Slot): Batch[] {
    const batches: Batch[] = [];
    for (const slot of this.slotsOf(worker)) {
      const at = this.idle.indexOf(slot);
      if (at >= 0) this.idle.splice(at, 1);
      this.retiring.delete(slot);
      const ahead = this.sentAhead.get(slot);
      if (ahead) {
        this.sentAhead.delete(slot);
        for (const task of ahead.tasks) if (!task.finished) this.queue.push(task);
        this.pumpTimer.soon();
      }
      const batch = this.running.get(slot);
      if (!batch) continue;
      this.running.delete(slot);
      if (batch.timer) clearTimeout(batch.timer);
      batches.push(batch);
    }
    this.slots.delete(worker);
    return batches;
  }

  /**
   * The worker finished its batch: it begins the one sent ahead to it, or becomes idle again (unless
   * retiring), and the finished batch is returned to the caller.
   */
  complete(process: Slot, batchId: number): Batch | undefined {
    const batch = this.batchById(process, batchId);
    if (!batch) return undefined;
    const worker = batch.worker;
    this.running.delete(worker);
    if (batch.timer) clearTimeout(batch.timer);
    const at = now();
    this.forwardTime.observe(batch.tasks.length, at - batch.startedAt);
    this.frameWork.observe(batch.tasks.length, at - batch.startedAt);
    this.load.batchDone(batch.startedAt, batch.tasks.length, at);
    const ahead = this.sentAhead.get(worker);
    if (ahead) {
      this.sentAhead.delete(worker);
      this.begin(worker, ahead, at);
    } else if (this.retiring.delete(worker)) {
      return batch;
    } else {
      this.idle.push(worker);
    }
    this.pumpTimer.soon();
    return batch;
  }

  /**
   * Dispatches every batch that is ready to an idle worker, then to a busy worker about to finish
   * (see `SEND_AHEAD_MS`); arms the timer for the next one.
   */
  pump(): void {
    while (this.idle.length > 0) {
      const closesAt = batchClosesAt(this.queue, this.policy, this.adaptive);
      if (closesAt === undefined) return;
      if (now() < closesAt) return this.pumpTimer.at(closesAt);
      const tasks = this.takeBatch(); // first: it shares a backlog among the workers, this one still counted
      if (tasks.length === 0) continue; // every task it met was refused (quarantined)
      this.dispatch(this.idle.pop()!, tasks);
    }
    this.sendAhead();
  }

  /**
   * Sends a ready batch to each busy worker that has none waiting and whose forward should end within
   * its lead (`SEND_AHEAD_MS`, `SEND_AHEAD_SHARE`); arms the timer for the soonest of the others.
   */
  private sendAhead(): void {
    if (this.policy.maxBatchSize <= 1 || this.policy.generation || this.running.size === 0) return;
    for (const [worker, running] of this.running) {
      if (this.sentAhead.has(worker) || this.retiring.has(worker)) continue;
      const forwardMs = this.forwardTime.estimate(running.tasks.length);
      // Past its expected end the worker is late: what gathers until it is free goes with its next batch.
      if (forwardMs < SEND_AHEAD_MIN_FORWARD_MS || now() > running.startedAt + forwardMs) continue;
      const closesAt = batchClosesAt(this.queue, this.policy, this.adaptive);
      if (closesAt === undefined) return;
      const sendAt = Math.max(closesAt, running.startedAt + forwardMs - sendAheadLead(forwardMs));
      if (now() < sendAt) {
        this.pumpTimer.at(sendAt);
        continue;
      }
      const tasks = this.takeBatch();
      if (tasks.length === 0) continue;
      const batch = newBatch(worker, tasks, now());
      this.sentAhead.set(worker, batch);
      worker.dispatch(batch);
    }
  }

  /** Takes the next batch (or frame of items) from the queue. */
  private takeBatch(): Task[] {
    // A sequence joins a generation worker on its own, whenever one of its slots is free.
    const limit = this.policy.generation ? 1 : itemsPerDispatch(this.policy.maxBatchSize, this.frameWork.perItemMs, this.queued, this.workerCount, this.frameWork.probeDue);
    return takeBatch(this.queue, limit, this.policy, (task) => this.events.refuses?.(this, task) ?? false);
  }

  private dispatch(worker: Slot, tasks: Task[]): void {
    const batch = newBatch(worker, tasks, now());
    this.begin(worker, batch, batch.dispatchedAt);
    worker.dispatch(batch);
  }

  /** The worker runs `batch` from `at` on: the stage timeout counts from there. */
  private begin(worker: Slot, batch: Batch, at: number): void {
    batch.startedAt = at;
    batch.progressAt = at;
    this.running.set(worker, batch);
    if (this.policy.timeout > 0) batch.timer = setTimeout(() => this.expire(batch), this.policy.timeout);
  }

  /**
   * The stage timeout applies to each `forward`: a batch's, or each item's of a frame of a stage that
   * does not batch, whose worker reports its progress in its heartbeats (so a frozen worker is found
   * within the timeout and a heartbeat, however many items its frame held).
   */
  private expire(batch: Batch): void {
    if (this.running.get(batch.worker) !== batch) return;
    const since = now() - batch.progressAt;
    if (since < this.policy.timeout) {
      batch.timer = setTimeout(() => this.expire(batch), this.policy.timeout - since);
      return;
    }
    this.running.delete(batch.worker);
    batch.worker.kill(`forward took longer than ${this.policy.timeout} ms`);
    this.events.onBatchTimeout(this, batch);
  }

  /** Stops the wait timer (at shutdown). */
  close(): void {
    this.pumpTimer.stop();
    for (const batch of this.running.values()) if (batch.timer) clearTimeout(batch.timer);
  }
}
