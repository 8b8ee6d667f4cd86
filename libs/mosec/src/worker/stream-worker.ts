import { MosecError } from '../errors';
import type { RequestContext, WorkerContext } from '../interfaces';

const SINK = Symbol('mosec.streamSink');

/** Where `sendStreamEvent` goes while `forward` runs: the worker process sets it per batch. False: that item's client is gone. */
export type StreamSink = (text: string, index: number) => boolean;

/**
 * Thrown by `sendStreamEvent` once every client of the running `forward` has gone: the stream loop
 * ends at its next event instead of producing for nobody. Its items are answered already.
 */
export class StreamCancelled extends MosecError {
  readonly status = 499;
  readonly prefix = 'stream cancelled';
}

/**
 * A stage whose route answers with Server-Sent Events (mosec's `SSEWorker`). While `forward` runs it
 * calls `this.sendStreamEvent(text, index)`: the client of item `index` of the batch (0 for a stage
 * that does not batch) gets one `message` event with `text` as its data. A route streams when its
 * last stage is a `StreamWorker`; the stream closes when the request is done, after an `error` event
 * if it failed. What `forward` returns is not sent. When a client leaves, its events are dropped
 * (`sendStreamEvent` returns false), and once no client of the call is left `sendStreamEvent` throws
 * `StreamCancelled`, which ends `forward` at its next event.
 *
 * ```ts
 * @Stage({ maxBatchSize: 2 })
 * export class Inference extends StreamWorker<string[]> {
 *   forward(batch: string[]) {
 *     batch.forEach((text, i) => this.sendStreamEvent(text, i));
 *   }
 * }
 * ```
 */
export abstract class StreamWorker<In = unknown> implements WorkerContext {
  declare workerId?: number;
  declare stage?: string;
  declare maxBatchSize?: number;
  declare [SINK]?: StreamSink;

  /**
   * `In` is one input, or the batch (an array) for a stage with `maxBatchSize` > 1; `context` its
   * request's context (one per item of a batch), whose `signal` aborts when the request is cancelled.
   */
  abstract forward(data: In, context?: RequestContext | RequestContext[]): unknown;

  /**
   * Sends `text` as one `message` event to the client of item `index` of the current batch; false
   * when that client has gone (the event is dropped). Throws `StreamCancelled` when every client of
   * this `forward` has gone.
   */
  sendStreamEvent(text: string, index = 0): boolean {
    const sink = this[SINK];
    if (!sink) return true; // warm-up: no client to send to
    return sink(String(text), index);
  }
}

export function isStreamWorker(value: unknown): value is StreamWorker {
  return value instanceof StreamWorker;
}

/** Whether instances of a stage class stream (read in the HTTP process, which never builds stages). */
export function isStreamWorkerClass(type: unknown): boolean {
  return typeof type === 'function' && type.prototype instanceof StreamWorker;
}

/** Points a stream worker's events at `sink` (undefined: events are dropped). */
export function setStreamSink(worker: StreamWorker, sink: StreamSink | undefined): void {
  worker[SINK] = sink;
}
