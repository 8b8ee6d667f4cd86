/** Which worker this process is: `@Inject(MOSEC_WORKER)` in a stage or any provider it injects. */
export interface WorkerIdentity {
  /** 1..num within its stage. */
  workerId: number;
  /** The stage's name (its class name, or `@Stage({ name })`). */
  stage: string;
  /** The stage's batch limit (1 for a stage that does not batch). */
  maxBatchSize: number;
}

/**
 * The same identity as fields of the stage instance (mosec's `self.worker_id`), readable from the
 * constructor on. Prefer `@Inject(MOSEC_WORKER)`: it also reaches the providers a stage injects.
 */
export interface WorkerContext extends Partial<WorkerIdentity> {}

/** What `forward` gets with each item (its second argument; one per item of a batch). */
export interface RequestContext {
  /** The headers the stage asked for (`@Stage({ headers })`) that the request carried, by lower-case name. */
  headers: Record<string, string>;
  /**
   * Aborted when the request is cancelled while the stage works on it: its client disconnected, its
   * time ran out, or a `PipelineClient` call's signal was aborted. Nothing the stage makes for it is read.
   */
  signal: AbortSignal;
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
  /** `context`: the request's headers the stage asked for, and its cancellation signal. */
  forward(data: In, context?: RequestContext): Out | Promise<Out>;
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
  /** `contexts`: one per item, its headers the stage asked for and its cancellation signal. */
  forward(batch: In[], contexts?: RequestContext[]): Array<Out | Error> | Promise<Array<Out | Error>>;
  /** A warm-up batch. */
  example?: In[];
  /** Several warm-up batches. */
  multiExamples?: In[][];
}
