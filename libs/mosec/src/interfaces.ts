/** What every stage instance can read; the library sets these in the worker process before warm-up. */
export interface WorkerContext {
  /** 1..num within its stage. */
  workerId?: number;
  /** The stage's name (its class name). */
  stage?: string;
  /** The stage's batch limit (1 for a stage that does not batch). */
  maxBatchSize?: number;
}

/** Hooks a stage may define to take over the codecs (mosec's Worker methods). */
export interface WorkerCodecs<In, Out> {
  /** Ingress only: request body bytes to the first stage's input. Throw `DecodingError` for bad bytes. */
  deserialize?(data: Buffer, contentType: string): In;
  /** Egress only: the last stage's output to response body bytes. */
  serialize?(data: Out): Buffer | string;
  /** Between stages: this stage's output to bytes (msgpack by default: typed arrays and Buffers pass as they are). */
  serializeIpc?(data: Out): Buffer;
  /** Between stages: the previous stage's bytes to this stage's input. */
  deserializeIpc?(data: Buffer): In;
}

/** A stage that handles one request at a time (`maxBatchSize` 1, the default). */
export interface Worker<In = unknown, Out = unknown> extends WorkerContext, WorkerCodecs<In, Out> {
  forward(data: In): Out | Promise<Out>;
  /** Warm-up input, run before the worker reports ready. */
  example?: In;
  /** Several warm-up inputs, each run in turn. */
  multiExamples?: In[];
}

/**
 * A stage that handles a batch (`maxBatchSize` > 1). It returns one result per input, in order;
 * an `Error` at index i fails only request i.
 */
export interface BatchWorker<In = unknown, Out = unknown> extends WorkerContext, WorkerCodecs<In, Out> {
  forward(batch: In[]): Array<Out | Error> | Promise<Array<Out | Error>>;
  /** A warm-up batch. */
  example?: In[];
  /** Several warm-up batches. */
  multiExamples?: In[][];
}
