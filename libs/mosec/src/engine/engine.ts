import { ANSWERS } from '../mosec.messages';
import { SHARED_RESULT } from '../protocol/item-flags';
import { now } from './clock';
import type { Batch, BatchPolicy, Slot } from './batch';
import { StageRuntime } from './stage-runtime';
import { Quarantine } from './quarantine';
import { TaskTable } from './task-table';
import type { Responder, Route, RouteStage, Task } from './task';

export const STATUS_OK = 200;
/** Status given to a task whose client went away before its answer (nginx's "client closed request"). */
export const CLIENT_GONE = 499;
const NO_PAYLOAD = Buffer.alloc(0);

export interface EngineOptions {
  /** Milliseconds from arrival to answer before the client gets 408. */
  timeout: number;
  /** Tasks the service holds at most; more are refused with 429. */
  capacity: number;
  /** Where stages' large results wait for the next stage, when not in the HTTP process. */
  shared?: SharedPayloadOwner;
  /** Milliseconds a request that crashed a stage's workers twice is refused at once (0: not remembered). */
  quarantine?: number;
}

/** The HTTP process's side of shared payloads (see ipc/): it knows which are live and deletes the rest. */
export interface SharedPayloadOwner {
  /** A stage's result arrived as this name. */
  adopt(name: Buffer): void;
  /** A worker took it: workers delete what they read. */
  taken(name: Buffer): void;
  /** No stage will read it (its task ended): delete it. */
  free(name: Buffer): void;
  /** Smallest payload worth storing. */
  readonly threshold: number;
  /** Stores a request body for the first stage and returns its name; undefined when it cannot (it then goes in the frame). */
  put(payload: Buffer): Buffer | undefined;
  /** Reads and deletes an answer the last stage stored (routes with `sharedAnswers`). */
  take(name: Buffer): Buffer;
}

export interface SubmitOptions {
  /** Gets the stream events stages send for the task before its answer. */
  onEvent?: (data: Buffer) => void;
  /** The request headers its stages asked for (lower-case names). */
  headers?: Record<string, string>;
  /** Its priority level (`Priority`); normal by default. */
  priority?: number;
}

/** Observers of task life, for metrics and logs. All optional. */
export interface EngineListener {
  onTaskDone?(task: Task, status: number): void;
  onBatchDone?(stage: StageRuntime, batch: Batch): void;
  onWrongBatchSize?(stage: StageRuntime, batch: Batch, got: number): void;
  /** A request crashed the stage's workers twice: its content is refused for `ms`. */
  onQuarantined?(stage: StageRuntime, ms: number): void;
  /** A stage sent a stream event for the task (on a generation stage: one new token). */
  onStreamEvent?(stage: StageRuntime, task: Task): void;
}

/**
 * The task table and the routing between stages: a task enters the first stage's queue, each
 * successful result moves it to the next stage, and the last stage's result (or any error) answers it.
 * No I/O here: workers are `Slot`s and answers go to each task's `Responder`.
 */
export class Engine {
  private readonly table: TaskTable;
  private readonly quarantines = new Map<RouteStage, Quarantine>();
  private nextTaskId = 1;

  constructor(
    private readonly options: EngineOptions,
    private readonly listener: EngineListener = {},
  ) {
    this.table = new TaskTable((task) => this.finish(task, 408, ANSWERS.timeout));
  }

  /**
   * A stage whose timed-out batches are answered 408 by this engine. A task rises one priority level
   * for each third of the service timeout it waits in a stage's queue.
   */
  createStage(name: string, policy: BatchPolicy): StageRuntime {
    const events = {
      onBatchTimeout: (_: StageRuntime, batch: Batch) => this.failBatch(batch, 408),
      refuses: (at: StageRuntime, task: Task) => this.refuses(at, task),
      activeTasks: () => this.table.size,
    };
    const stage = new StageRuntime(name, policy, events, this.options.timeout / 3);
    this.quarantines.set(stage, new Quarantine(this.options.quarantine ?? 0));
    return stage;
  }

  /** Tasks accepted and not yet answered. */
  get activeTasks(): number {
    return this.table.size;
  }

  /** Accepts a request into the route's first stage, or returns undefined when the service is full. */
  submit(route: Route, payload: Buffer, codecFlags: number, respond: Responder, options: SubmitOptions = {}): Task | undefined {
    if (this.table.size >= this.options.capacity) return undefined;
    const createdAt = now();
    const task: Task = {
      id: this.nextTaskId++,
      route,
      step: 0,
      payload,
      codecFlags,
      enqueuedAt: createdAt,
      createdAt,
      deadline: createdAt + this.options.timeout,
      finished: false,
      respond,
      onEvent: options.onEvent,
      headers: options.headers,
      priority: options.priority,
    };
    const { shared } = this.options;
    if (shared && payload.length >= shared.threshold && route.stages[0].policy.readsShared) {
      const name = shared.put(payload);
      if (name) {
        task.payload = name;
        task.shared = true;
      }
    }
    this.table.add(task);
    this.enter(task);
    return task;
  }

  /** Answers a task now (client gone, shutting down...). Its queue entry is skipped later. */
  finish(task: Task, status: number, body: Buffer | string): void {
    if (task.finished) return;
    task.finished = true;
    if (task.queued) task.route.stages[task.step].discard(task);
    else if (status === CLIENT_GONE || status === 408) this.cancelInWorker(task);
    if (task.shared) this.options.shared?.free(task.payload);
    task.shared = false;
    // The payload may be a view into a large socket read; an answered task must not keep it alive.
    task.payload = NO_PAYLOAD;
    this.table.remove();
    this.listener.onTaskDone?.(task, status);
    task.respond(status, body, task);
  }

  /** A task answered while a worker holds it (a stream producing for a client that left): the worker is told. */
  private cancelInWorker(task: Task): void {
    const held = task.route.stages[task.step]?.batchOf(task);
    held?.batch.worker.cancel?.(held.batch.id, held.index);
  }

  /** A worker reported its batch: successes move on, failures are answered. */
  complete(stage: StageRuntime, worker: Slot, batchId: number, statuses: number[], bodies: Buffer[]): void {
    const batch = stage.complete(worker, batchId);
    if (!batch) return;
    this.listener.onBatchDone?.(stage, batch);
    const { tasks } = batch;
    const { shared } = this.options;
    for (const task of tasks) {
      if (!task.shared) continue;
      shared?.taken(task.payload);
      task.shared = false;
    }
    if (statuses.length !== tasks.length) {
      for (let i = 0; i < statuses.length; i++) if (statuses[i] & SHARED_RESULT) shared?.free(bodies[i]);
      this.listener.onWrongBatchSize?.(stage, batch, statuses.length);
      for (const task of tasks) this.finish(task, 500, ANSWERS.internal);
      return;
    }
    for (let i = 0; i < tasks.length; i++) {
      const task = tasks[i];
      const named = (statuses[i] & SHARED_RESULT) !== 0;
      if (task.finished) {
        if (named) shared?.free(bodies[i]);
        continue;
      }
      if (statuses[i] !== STATUS_OK && !named) {
        this.finish(task, statuses[i], bodies[i]);
      } else if (task.step + 1 < task.route.stages.length) {
        task.step++;
        // What a stage's workers did with it says nothing of the next stage's.
        task.crashes = 0;
        task.alone = false;
        // A name is a few bytes of a frame that may be large: copied, so that it does not keep the frame.
        task.payload = named ? Buffer.from(bodies[i]) : bodies[i];
        if (named) {
          task.shared = true;
          shared?.adopt(task.payload);
        }
        this.enter(task);
      } else if (named) {
        this.finishWithStored(task, bodies[i]);
      } else {
        this.finish(task, STATUS_OK, bodies[i]);
      }
    }
  }

  /** The last stage stored its answer (a large one, on a route with `sharedAnswers`): read it back. */
  private finishWithStored(task: Task, name: Buffer): void {
    let answer: Buffer;
    try {
      answer = this.options.shared!.take(name);
    } catch {
      this.options.shared?.free(name);
      return this.finish(task, 500, ANSWERS.internal);
    }
    this.finish(task, STATUS_OK, answer);
  }

  /** A worker sent a stream event for item `index` of the batch it is running: it goes to that task, if still unanswered. */
  streamEvent(stage: StageRuntime, worker: Slot, batchId: number, index: number, data: Buffer): void {
    const batch = stage.batchById(worker, batchId);
    if (!batch) return;
    // The worker is making progress: the stage timeout counts from its last event.
    batch.progressAt = now();
    const task = batch.tasks[index];
    if (!task || task.finished) return;
    task.streamed = true;
    this.listener.onStreamEvent?.(stage, task);
    task.onEvent?.(data);
  }

  /** The task enters the queue of its current stage, unless its content is quarantined there (answered 500 at once). */
  private enter(task: Task): void {
    const stage = task.route.stages[task.step];
    // After the caller has its task (a stream opens its answer first).
    if (this.isQuarantined(stage, task)) return queueMicrotask(() => this.refuses(stage, task) || stage.enqueue(task));
    stage.enqueue(task);
  }

  /** Answers a task whose content is quarantined in `stage` (one that waited while it was quarantined, say). */
  private refuses(stage: RouteStage, task: Task): boolean {
    if (!this.isQuarantined(stage, task)) return false;
    this.finish(task, 500, ANSWERS.quarantined(stage.name, this.quarantines.get(stage)!.ms));
    return true;
  }

  private isQuarantined(stage: RouteStage, task: Task): boolean {
    return !task.shared && (this.quarantines.get(stage)?.holds(task.payload, now()) ?? false);
  }

  /**
   * A worker is gone (it died, or was killed for its silence): each task it held is run again once,
   * alone, so that the one that killed it cannot take the others with it a second time. A task that
   * was held by two workers that died is answered 500, and its content quarantined in the stage. A
   * task that cannot be run again (its stream events went out, or its payload was shared and read) is
   * answered 500 at once, as is every task when `retry` is false (the service is stopping).
   */
  workerLost(stage: StageRuntime, worker: Slot, retry = true): void {
    for (const batch of stage.removeWorker(worker)) this.retryOrFail(stage, batch, retry);
  }

  private retryOrFail(stage: StageRuntime, batch: Batch, retry: boolean): void {
    for (const task of batch.tasks) {
      if (task.finished) continue;
      task.crashes = (task.crashes ?? 0) + 1;
      if (task.crashes >= 2 && !task.shared && this.quarantines.get(stage)?.add(task.payload, now())) {
        this.listener.onQuarantined?.(stage, this.quarantines.get(stage)!.ms);
      }
      if (!retry || task.crashes >= 2 || task.shared || task.streamed) {
        this.finish(task, 500, ANSWERS.internal);
        continue;
      }
      task.alone = true;
      stage.enqueue(task);
    }
  }

  failBatch(batch: Batch, status: number): void {
    const body = status === 408 ? ANSWERS.timeout : ANSWERS.internal;
    for (const task of batch.tasks) this.finish(task, status, body);
  }

  close(): void {
    this.table.close();
  }
}
