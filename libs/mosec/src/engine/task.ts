import { ItemFlags } from '../protocol/item-flags';

/**
 * A stage as the tasks on a route reach it: what the engine's `StageRuntime` offers them. Declared
 * here so that tasks and stages do not import each other.
 */
export interface RouteStage {
  readonly name: string;
  readonly policy: { readonly readsShared?: boolean };
  enqueue(task: Task): void;
  /** A queued task was answered: it leaves the queue. */
  discard(task: Task): void;
  /** The batch a worker holds with this task in it, and the task's place in it. */
  batchOf(task: Task): { batch: { readonly id: number; readonly worker: { cancel?(batchId: number, index: number): void } }; index: number } | undefined;
}

/** A pipeline served at one HTTP path: the stages a task walks through in order. */
export interface Route {
  readonly path: string;
  readonly stages: readonly RouteStage[];
  /** The last stage may store a large answer as a shared payload, which the engine reads back. */
  readonly sharedAnswers?: boolean;
}

/** Called once per task with its final status and body. */
export type Responder = (status: number, body: Buffer | string, task: Task) => void;

export interface Task {
  readonly id: number;
  readonly route: Route;
  /** Index of the stage the task is in now. */
  step: number;
  /** Request bytes before the first stage; the previous stage's output bytes after it (or their name, when `shared`). */
  payload: Buffer;
  /** The payload is the name of a shared payload (see ipc/), which the next worker reads and deletes. */
  shared?: boolean;
  /** Codec flags that do not depend on the stage (request codec, response codec). */
  readonly codecFlags: number;
  /** When the task entered its current stage's queue (ms, monotonic clock). */
  enqueuedAt: number;
  readonly createdAt: number;
  readonly deadline: number;
  /** Set once the task has been answered (result, error, timeout or client gone). */
  finished: boolean;
  /** In a stage's queue, waiting (not taken by a worker, not answered). */
  queued?: boolean;
  /** Its weight in its current stage's batch (`batchCost`); 1 when the stage does not weigh items. */
  cost?: number;
  readonly respond: Responder;
  /** Receives the stream events a stage sends for this task before its answer (SSE routes). */
  readonly onEvent?: (data: Buffer) => void;
  /** The request headers its stages asked for (lower-case names); absent when none did. */
  readonly headers?: Record<string, string>;
  /** Its priority level (`Priority`); normal when absent. */
  readonly priority?: number;
  /** How many workers died while they held it (each crash is retried once, then it is answered 500). */
  crashes?: number;
  /** Goes in a batch of its own: it was in a batch whose worker died, and may be what killed it. */
  alone?: boolean;
  /** A stage sent a stream event for it: it cannot be run again without repeating them. */
  streamed?: boolean;
}

/** The flags for a task's payload at its current stage. */
export function itemFlags(task: Task): number {
  let flags = task.codecFlags;
  if (task.step === 0) flags |= ItemFlags.INGRESS;
  if (task.step === task.route.stages.length - 1) flags |= ItemFlags.EGRESS;
  if (task.shared) flags |= ItemFlags.SHARED;
  const next = task.route.stages[task.step + 1];
  if (next ? next.policy.readsShared : task.route.sharedAnswers) flags |= ItemFlags.MAY_SHARE;
  return flags;
}
