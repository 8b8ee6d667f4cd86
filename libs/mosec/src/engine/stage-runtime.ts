import { AdaptiveWait } from './adaptive-wait';
import { now } from './clock';
import { ForwardTime } from './forward-time';
import { LoadSample, StageLoad } from './stage-load';
import { itemFlags, Task } from './task';
import { TaskQueue } from './task-queue';
import { slotsFor } from './worker-slot';

export interface BatchPolicy {
  /** Largest batch. 1 means every task is dispatched alone. */
  maxBatchSize: number;
  /** Milliseconds a batch waits for more tasks after its first one arrived. */
  maxWaitTime: number;
  /** Tune the wait from measured arrival rate and forward time instead (`maxWaitTime: 'auto'`). */
  adaptiveWait?: boolean;
  /** Largest total cost of a batch (with `batchCost`); a single item may exceed it and goes alone. */
  maxBatchCost?: number;
  /** The cost of one item, from its payload and flags. */
  batchCost?: (payload: Buffer, flags: number) => number;
  /** Milliseconds a worker may spend on one batch before it is killed; 0 for no limit. */
  timeout: number;
  /** Request headers the stage receives with each item (lower-case names). */
  headers?: string[];
  /** The stage's workers read shared payloads: the stage before may send names instead of large results. */
  readsShared?: boolean;
  /**
   * A generation stage (`GenerationWorker`): each worker runs up to `maxBatchSize` sequences at once,
   * and takes a new task whenever one of them leaves (continuous batching) instead of a batch at a time.
   */
  generation?: boolean;
}

/** A worker as the engine sees it: something that takes a batch and later reports its results. */
export interface WorkerHandle {
  readonly label: string;
  /** Sends the batch to the worker. Results come back through `StageRuntime.complete`. */
  dispatch(batch: Batch): void;
  /** Ends a worker that overran its timeout; it will be reported lost. */
  kill(reason: string): void;
  /** Tells the worker that item `index` of batch `batchId` was answered without it: it may stop working on it. */
  cancel?(batchId: number, index: number): void;
}

export interface Batch {
  readonly id: number;
  readonly tasks: Task[];
  readonly worker: WorkerHandle;
  readonly dispatchedAt: number;
  /** When the worker began it: its dispatch, or the end of the batch before it when it was sent ahead. */
  startedAt: number;
  timer?: NodeJS.Timeout;
  /** Items the worker reported done (its heartbeats), and when the count last grew. */
  done: number;
  progressAt: number;
}

export interface StageEvents {
  /** A worker overran the stage timeout with this batch; the engine answers its tasks. */
  onBatchTimeout(stage: StageRuntime, batch: Batch): void;
  /** Asked of each task before it is dispatched: true when it was answered instead (its content is quarantined). */
  refuses?(stage: StageRuntime, task: Task): boolean;
}

let nextBatchId = 1;

/** Most tasks sent to a worker of a non-batching stage in one frame, */
const MAX_ITEMS_PER_FRAME = 64;
/** and about this much work (ms of forwards, as measured): a higher-priority task waits for no more. */
const FRAME_WORK_MS = 5;
/** and most payload bytes (one larger item still goes alone): each frame is one copy in each process. */
const MAX_BYTES_PER_FRAME = 8 * 1024 * 1024;
/**
 * A batching stage sends a busy worker its next batch this long before its forward should end, so
 * that the result's way back and the next batch's way in overlap the forward instead of following it,
 */
const SEND_AHEAD_MS = 2;
/** or this share of a longer forward: a timer fires a few ms late on a busy machine, past a 2 ms lead. */
const SEND_AHEAD_SHARE = 0.02;
/** for forwards at least this long (shorter ones gain little, and commit items to a worker early). */
const SEND_AHEAD_MIN_FORWARD_MS = 5;

/**
 * One stage: its queue, its dynamic batcher and its workers. A batch closes when it is full or when
 * its first task has waited `maxWaitTime`; an idle worker takes the next batch (work sharing). The
 * queue serves higher priorities first (see TaskQueue). A worker of a batching stage whose forward
 * is long gets its next batch shortly before the current one should end (see `SEND_AHEAD_MS`): it
 * holds at most that one batch beyond the one it runs.
 */
export class StageRuntime {
  readonly queue: TaskQueue;
  private readonly idle: WorkerHandle[] = [];
  private readonly running = new Map<WorkerHandle, Batch>();
  /** Batches sent ahead to busy workers: each starts when the worker's running batch is done. */
  private readonly sentAhead = new Map<WorkerHandle, Batch>();
  /** Workers leaving: they finish the batch they run and take no other. */
  private readonly retiring = new Set<WorkerHandle>();
  /** The handles of each worker of a generation stage: one slot per sequence it may run (see WorkerSlot). */
  private readonly slots = new Map<WorkerHandle, WorkerHandle[]>();
  private waitTimer: NodeJS.Timeout | undefined;
  private waitTimerAt = Infinity;
  private pumpScheduled = false;
  private readonly adaptive?: AdaptiveWait;
  private readonly forwardTime = new ForwardTime();
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

  get idleCount(): number {
    return this.idle.length;
  }

  /** Tasks waiting in the queue, unanswered. */
  get queued(): number {
    return this.queue.length;
  }

  enqueue(task: Task): void {
    task.enqueuedAt = now();
    task.cost = this.costOf(task);
    this.adaptive?.arrived();
    this.queue.push(task);
    this.schedulePump();
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
  retire(worker: WorkerHandle): boolean {
    let busy = false;
    for (const handle of this.handlesOf(worker)) {
      const at = this.idle.indexOf(handle);
      if (at >= 0) this.idle.splice(at, 1);
      if (this.running.has(handle)) {
        this.retiring.add(handle);
        busy = true;
      }
    }
    return !busy;
  }

  /** A retiring worker has finished its last batch (and the one sent ahead to it, if any). */
  isRetired(worker: WorkerHandle): boolean {
    return this.handlesOf(worker).every((handle) => !this.running.has(handle) && !this.sentAhead.has(handle) && !this.idle.includes(handle));
  }

  /** A worker's heartbeat: `done` items of its batch `batchId` are finished. */
  progress(worker: WorkerHandle, batchId: number, done: number): void {
    const batch = this.batchById(worker, batchId);
    if (!batch || done <= batch.done) return;
    batch.done = done;
    batch.progressAt = now();
  }

  addWorker(worker: WorkerHandle): void {
    const handles = slotsFor(worker, this.policy.generation, this.policy.maxBatchSize);
    if (handles[0] !== worker) this.slots.set(worker, handles);
    this.idle.push(...handles);
    this.schedulePump();
  }

  /** The running batch `batchId` of a worker (of one of its slots), if it still runs it. */
  batchById(worker: WorkerHandle, batchId: number): Batch | undefined {
    for (const handle of this.handlesOf(worker)) {
      const batch = this.running.get(handle);
      if (batch?.id === batchId) return batch;
    }
    return undefined;
  }

  /** Every batch the stage's workers run now (one task each on a generation stage: its running sequences). */
  runningBatches(): IterableIterator<Batch> {
    return this.running.values();
  }

  private handlesOf(worker: WorkerHandle): WorkerHandle[] {
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

  /** The batch a worker is running now, if any (the oldest of its slots' on a generation stage). */
  runningBatch(worker: WorkerHandle): Batch | undefined {
    for (const handle of this.handlesOf(worker)) {
      const batch = this.running.get(handle);
      if (batch) return batch;
    }
    return undefined;
  }

  /**
   * Forgets a worker (it exited or was killed) and returns the batches it was running (one at most,
   * but for a generation stage's). A batch sent ahead to it had not begun: its tasks go back to the
   * queue, for another worker.
   */
  removeWorker(worker: WorkerHandle): Batch[] {
    const batches: Batch[] = [];
    for (const handle of this.handlesOf(worker)) {
      const at = this.idle.indexOf(handle);
      if (at >= 0) this.idle.splice(at, 1);
      this.retiring.delete(handle);
      const ahead = this.sentAhead.get(handle);
      if (ahead) {
        this.sentAhead.delete(handle);
        for (const task of ahead.tasks) if (!task.finished) this.queue.push(task);
        this.schedulePump();
      }
      const batch = this.running.get(handle);
      if (!batch) continue;
      this.running.delete(handle);
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
  complete(process: WorkerHandle, batchId: number): Batch | undefined {
    const batch = this.batchById(process, batchId);
    if (!batch) return undefined;
    const worker = batch.worker;
    this.running.delete(worker);
    if (batch.timer) clearTimeout(batch.timer);
    const at = now();
    this.forwardTime.observe(batch.tasks.length, at - batch.startedAt);
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
    this.schedulePump();
    return batch;
  }

  /**
   * Dispatches once the current event-loop turn is over, so everything that arrived in it (the
   * requests read together, the results of one frame) leaves in one frame instead of the first
   * task alone and the rest after it.
   */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /**
   * Dispatches every batch that is ready to an idle worker, then to a busy worker about to finish
   * (see `SEND_AHEAD_MS`); arms the timer for the next one.
   */
  pump(): void {
    while (this.idle.length > 0) {
      const closesAt = this.batchClosesAt();
      if (closesAt === undefined) return;
      if (now() < closesAt) return this.armWaitTimer(closesAt);
      const tasks = this.takeBatch(); // first: it shares a backlog among the workers, this one still counted
      if (tasks.length === 0) continue; // every task it met was refused (quarantined)
      this.dispatch(this.idle.pop()!, tasks);
    }
    this.sendAhead();
  }

  /** When the batch at the head of the queue is ready to leave (now or later); undefined if none waits. */
  private batchClosesAt(): number | undefined {
    const first = this.queue.peek();
    if (!first) return undefined;
    // A generation worker's steps are its batches: a sequence joins the next one without waiting for others.
    if (first.alone || this.policy.generation) return 0;
    const { maxBatchSize, maxWaitTime } = this.policy;
    const full = this.queued >= maxBatchSize || this.queue.cost >= (this.policy.maxBatchCost ?? Infinity);
    if (full) return 0;
    if (this.adaptive) return this.adaptive.closesAt(first.enqueuedAt, this.queued, maxBatchSize);
    return maxWaitTime <= 0 ? 0 : first.enqueuedAt + maxWaitTime;
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
      const closesAt = this.batchClosesAt();
      if (closesAt === undefined) return;
      const lead = Math.max(SEND_AHEAD_MS, forwardMs * SEND_AHEAD_SHARE);
      const sendAt = Math.max(closesAt, running.startedAt + forwardMs - lead);
      if (now() < sendAt) {
        this.armWaitTimer(sendAt);
        continue;
      }
      const tasks = this.takeBatch();
      if (tasks.length === 0) continue;
      const batch = this.newBatch(worker, tasks);
      this.sentAhead.set(worker, batch);
      worker.dispatch(batch);
    }
  }

  /** Takes the next batch (or frame of items) from the queue. */
  private takeBatch(): Task[] {
    const limit = this.itemsPerDispatch();
    const maxCost = this.policy.maxBatchCost ?? Infinity;
    const maxBytes = this.policy.maxBatchSize > 1 ? Infinity : MAX_BYTES_PER_FRAME;
    const tasks: Task[] = [];
    let cost = 0;
    let bytes = 0;
    while (tasks.length < limit) {
      const task = this.queue.peek();
      // Answered now, it has left the queue.
      if (task && this.events.refuses?.(this, task)) continue;
      if (!task || (tasks.length > 0 && (task.alone || cost + task.cost! > maxCost || bytes + task.payload.length > maxBytes))) break;
      this.queue.take(task);
      tasks.push(task);
      cost += task.cost!;
      bytes += task.payload.length;
      // A task whose worker died is run again on its own (see Engine.workerLost).
      if (task.alone) break;
    }
    return tasks;
  }

  /**
   * How many tasks the next dispatch takes. A batching stage takes a batch. A stage that does not
   * batch still gets its backlog in few frames (its worker calls `forward` once per item), shared
   * evenly among all its workers, so a worker freed a moment later finds its share: per-message
   * cost, not `forward`, is what limits a light stage. A frame holds about `FRAME_WORK_MS` of
   * forwards at most, so a stage whose items take long sends them one by one, and a high-priority
   * task never waits behind a frame of others.
   */
  private itemsPerDispatch(): number {
    // A sequence joins a generation worker's running set on its own, whenever a slot is free.
    if (this.policy.generation) return 1;
    if (this.policy.maxBatchSize > 1) return this.policy.maxBatchSize;
    const { itemMs } = this.load;
    const byWork = itemMs > 0 ? Math.max(1, Math.floor(FRAME_WORK_MS / itemMs)) : MAX_ITEMS_PER_FRAME;
    return Math.min(MAX_ITEMS_PER_FRAME, byWork, Math.ceil(this.queued / this.workerCount));
  }

  private dispatch(worker: WorkerHandle, tasks: Task[]): void {
    const batch = this.newBatch(worker, tasks);
    this.begin(worker, batch, batch.dispatchedAt);
    worker.dispatch(batch);
  }

  private newBatch(worker: WorkerHandle, tasks: Task[]): Batch {
    const dispatchedAt = now();
    const batch: Batch = { id: nextBatchId++, tasks, worker, dispatchedAt, startedAt: dispatchedAt, done: 0, progressAt: dispatchedAt };
    if (nextBatchId > 0xffffffff) nextBatchId = 1;
    return batch;
  }

  /** The worker runs `batch` from `at` on: the stage timeout counts from there. */
  private begin(worker: WorkerHandle, batch: Batch, at: number): void {
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

  /** An item's weight: the stage's `batchCost` of its payload (1 if it has none, or if it throws). */
  private costOf(task: Task): number {
    if (!this.policy.batchCost) return 1;
    try {
      const cost = this.policy.batchCost(task.payload, itemFlags(task));
      return Number.isFinite(cost) && cost >= 0 ? cost : 1;
    } catch {
      return 1; // an item that cannot be decoded fails in the worker, with the reason
    }
  }

  private armWaitTimer(at: number): void {
    if (this.waitTimer && this.waitTimerAt <= at) return;
    if (this.waitTimer) clearTimeout(this.waitTimer);
    this.waitTimerAt = at;
    this.waitTimer = setTimeout(() => {
      this.waitTimer = undefined;
      this.waitTimerAt = Infinity;
      this.pump();
    }, Math.max(0, at - now()));
  }

  /** Stops the wait timer (at shutdown). */
  close(): void {
    if (this.waitTimer) clearTimeout(this.waitTimer);
    this.waitTimer = undefined;
    for (const batch of this.running.values()) if (batch.timer) clearTimeout(batch.timer);
  }
}
