import { ANSWERS } from '../mosec.messages';
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
    this.table.add(task);
    route.stages[0].enqueue(task);
    return task;
  }

  /** Answers a task now (client gone, shutting down...). Its queue entry is skipped later. */
  finish(task: Task, status: number, body: Buffer | string): void {
    if (task.finished) return;
    task.finished = true;
    if (task.queued) task.route.stages[task.step].discard(task);
    // The payload may be a view into a large socket read; an answered task must not keep it alive.
    task.payload = NO_PAYLOAD;
    this.table.remove();
    this.listener.onTaskDone?.(task, status);
    task.respond(status, body, task);
  }

  /** A worker reported its batch: successes move on, failures are answered. */
  complete(stage: StageRuntime, worker: WorkerHandle, batchId: number, statuses: number[], bodies: Buffer[]): void {
    const batch = stage.complete(worker, batchId);
    if (!batch) return;
    this.listener.onBatchDone?.(stage, batch);
    const { tasks } = batch;
    if (statuses.length !== tasks.length) {
      this.listener.onWrongBatchSize?.(stage, batch, statuses.length);
      for (const task of tasks) this.finish(task, 500, ANSWERS.internal);
      return;
    }
    for (let i = 0; i < tasks.length; i++) {
      const task = tasks[i];
      if (task.finished) continue;
      if (statuses[i] !== STATUS_OK) {
        this.finish(task, statuses[i], bodies[i]);
      } else if (task.step + 1 < task.route.stages.length) {
        task.step++;
        task.payload = bodies[i];
        task.route.stages[task.step].enqueue(task);
      } else {
        this.finish(task, STATUS_OK, bodies[i]);
      }
    }
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
