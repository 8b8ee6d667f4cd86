import type { SharedPayloadSpec } from './shared-payload-spec';

/** What the HTTP process tells a worker process about itself (passed in MOSEC_WORKER_SPEC). */
export interface WorkerSpec {
  /** The file the `@Pipeline` class is written in, the class's name and its path (to find it among the file's exports). */
  pipelineFile: string;
  pipelineName: string;
  pipelinePath: string;
  /** The stage's index in that pipeline's `stages`. */
  stageIndex: number;
  stageName: string;
  workerId: number;
  maxBatchSize: number;
  logLevels: string[];
  /** Log lines as JSON objects instead of text. */
  logJson: boolean;
  /** Dry run: the worker also sends its warm-up examples, to be pushed through the whole pipeline. */
  dryRun: boolean;
  /** Where large payloads between stages go, when they do not go through the HTTP process. */
  shared?: SharedPayloadSpec;
  /** Start of the names of the shared payloads this worker writes (unique to the worker process). */
  sharedPrefix?: string;
}

export const WORKER_SPEC_ENV = 'MOSEC_WORKER_SPEC';

/** Frames a worker sends before it serves. */
export interface ReadyMessage {
  warmUpMs: number;
  examples: number;
  /** Dry run only: the examples as requests (each msgpack of one `forward` input), base64. */
  requests?: string[];
}
/** Why a worker could not start: what the service reports, once, naming the stage. */
export interface FatalMessage {
  message: string;
}
export interface MetricsRequest {
  id: number;
}
export interface MetricsReport {
  id: number;
  /** prom-client's `getMetricsAsJSON()` of the worker's default registry. */
  metrics: unknown[];
}
