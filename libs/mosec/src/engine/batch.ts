import type { Task } from './task';

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
}

/** A slot: a worker process as the engine sees it, something that takes a batch and later reports its results. */
export interface Slot {
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
  readonly worker: Slot;
  readonly dispatchedAt: number;
  /** When the worker began it: its dispatch, or the end of the batch before it when it was sent ahead. */
  startedAt: number;
  timer?: NodeJS.Timeout;
  /** Items the worker reported done (its heartbeats), and when the count last grew. */
  done: number;
  progressAt: number;
}

let nextBatchId = 1;

/** A new batch of `tasks` for `worker`, dispatched now; ids wrap at 2^32 (they travel as u32). */
export function newBatch(worker: Slot, tasks: Task[], dispatchedAt: number): Batch {
  const batch: Batch = { id: nextBatchId++, tasks, worker, dispatchedAt, startedAt: dispatchedAt, done: 0, progressAt: dispatchedAt };
  if (nextBatchId > 0xffffffff) nextBatchId = 1;
  return batch;
}
