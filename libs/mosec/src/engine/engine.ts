import { ANSWERS } from '../mosec.messages';
import { SHARED_RESULT } from '../protocol/item-flags';
import { now } from './clock';
import { BatchPolicy, StageRuntime } from './stage-runtime';
import type { Batch, WorkerHandle } from './stage-runtime';
import { TaskTable } from './task-table';
import type { Responder, Route, Task } from './task';

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
}

/**
 * The task table and the routing between stages: a task enters the first stage's queue, each
 * successful result moves it to the next stage, and the last stage's result (or any error) answers it.
 * No I/O here: workers are `WorkerHandle`s and answers go to each task's `Responder`.
 */
export class Engine {
  private readonly table: TaskTable;
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
    return new StageRuntime(name, policy, { onBatchTimeout: (_stage, batch) => this.failBatch(batch, 408) }, this.options.timeout / 3);
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
    route.stages[0].enqueue(task);
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
  complete(stage: StageRuntime, worker: WorkerHandle, batchId: number, statuses: number[], bodies: Buffer[]): void {
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
        // A name is a few bytes of a frame that may be large: copied, so that it does not keep the frame.
        task.payload = named ? Buffer.from(bodies[i]) : bodies[i];
        if (named) {
          task.shared = true;
          shared?.adopt(task.payload);
        }
        task.route.stages[task.step].enqueue(task);
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
  streamEvent(stage: StageRuntime, worker: WorkerHandle, batchId: number, index: number, data: Buffer): void {
    const batch = stage.runningBatch(worker);
    if (!batch || batch.id !== batchId) return;
    const task = batch.tasks[index];
    if (task && !task.finished) task.onEvent?.(data);
  }

  /** A worker is gone: the tasks it held are answered with `status` (500 after a crash, 408 after a timeout). */
  workerLost(stage: StageRuntime, worker: WorkerHandle, status = 500): void {
    const batch = stage.removeWorker(worker);
    if (batch) this.failBatch(batch, status);
  }

  failBatch(batch: Batch, status: number): void {
    const body = status === 408 ? ANSWERS.timeout : ANSWERS.internal;
    for (const task of batch.tasks) this.finish(task, status, body);
  }

  close(): void {
    this.table.close();
  }
}
