import type { StageRuntime } from './stage-runtime';

/**
 * Per-item flags carried with each payload to a worker, so a stage shared by several routes knows,
 * item by item, whether it decodes a request body, encodes a response, and with which codec.
 */
export const ItemFlags = {
  /** The payload is a request body: decode it with the stage's `deserialize` (or the request codec). */
  INGRESS: 1,
  /** The result is a response body: encode it with the stage's `serialize` (or the response codec). */
  EGRESS: 2,
  /** Bits 2-3: how the request body is encoded (see RequestCodec). */
  REQUEST_CODEC_SHIFT: 2,
  REQUEST_CODEC_MASK: 0b1100,
  /** The client asked for a msgpack response. */
  RESPONSE_MSGPACK: 16,
  /** The request payload is already decoded (msgpack of the value the first stage's `forward` takes). */
  PREDECODED: 32,
} as const;

export const RequestCodec = { JSON: 0, MSGPACK: 1, BYTES: 2, TEXT: 3 } as const;

/** A pipeline served at one HTTP path: the stages a task walks through in order. */
export interface Route {
  readonly path: string;
  readonly stages: readonly StageRuntime[];
}

/** Called once per task with its final status and body. */
export type Responder = (status: number, body: Buffer | string, task: Task) => void;

export interface Task {
  readonly id: number;
  readonly route: Route;
  /** Index of the stage the task is in now. */
  step: number;
  /** Request bytes before the first stage; the previous stage's output bytes after it. */
  payload: Buffer;
  /** Codec flags that do not depend on the stage (request codec, response codec). */
  readonly codecFlags: number;
  /** When the task entered its current stage's queue (ms, monotonic clock). */
  enqueuedAt: number;
  readonly createdAt: number;
  readonly deadline: number;
  /** Set once the task has been answered (result, error, timeout or client gone). */
  finished: boolean;
  /** Its weight in its current stage's batch (`batchCost`); 1 when the stage does not weigh items. */
  cost?: number;
  readonly respond: Responder;
  /** Receives the stream events a stage sends for this task before its answer (SSE routes). */
  readonly onEvent?: (data: Buffer) => void;
}

/** The flags for a task's payload at its current stage. */
export function itemFlags(task: Task): number {
  let flags = task.codecFlags;
  if (task.step === 0) flags |= ItemFlags.INGRESS;
  if (task.step === task.route.stages.length - 1) flags |= ItemFlags.EGRESS;
  return flags;
}
