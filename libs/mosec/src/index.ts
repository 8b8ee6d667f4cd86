export { Stage } from './decorators/stage.decorator';
export { Pipeline } from './decorators/pipeline.decorator';
export { InjectPipeline, getPipelineToken } from './decorators/inject-pipeline.decorator';
export type { StageOptions, PipelineOptions } from './decorators/metadata';
export type { Worker, BatchWorker, WorkerContext, WorkerIdentity, WorkerCodecs, RequestContext } from './interfaces';
export { StreamCancelled, StreamWorker } from './worker/stream-worker';
export { GenerationWorker } from './worker/generation-worker';
export type { SequenceState, PrefillChunk } from './worker/generation-worker';
export type { RunOptions } from './client/pipeline.client';
export type { PriorityName } from './http/request-priority';
export type { FieldProblem, ValidationFailure } from './http/validation';
export {
  MosecError,
  ClientError,
  DecodingError,
  ValidationError,
  ServerError,
  EncodingError,
} from './errors';
export { PipelineError } from './pipeline-error';
export { MosecConfig } from './module/mosec-config';
export type { StageStatus, WorkerStatus } from './module/mosec.admin';
export type { MosecOptions, MosecExtras } from './module/mosec-options';
export type { DaemonOptions } from './module/daemon-options';
export { MOSEC_WORKER } from './mosec.constants';
export * from './onnx';

// The HTTP side (the module, its options token, the admin, the client) is loaded when first read:
// a worker process requires this file through its stage's imports and never reads them, and would
// otherwise load the whole service (Nest's core, the engine, prom-client) for nothing.
import type { PipelineClient as PipelineClientClass } from './client/pipeline.client';
import type { MosecModule as MosecModuleClass } from './module/mosec.module';
import type { MosecAdmin as MosecAdminClass } from './module/mosec.admin';
export declare const PipelineClient: typeof PipelineClientClass;
export type PipelineClient<Input = unknown, Output = unknown> = PipelineClientClass<Input, Output>;
export declare const MosecModule: typeof MosecModuleClass;
export type MosecModule = MosecModuleClass;
export declare const MosecAdmin: typeof MosecAdminClass;
export type MosecAdmin = MosecAdminClass;
export declare const MOSEC_OPTIONS: typeof import('./module/mosec.module-definition').MOSEC_OPTIONS;
// Assigned first so that Node sees these names when an ES module imports this CommonJS file (it reads
// exports from assignments; such an import reads every export at once, and so loads the HTTP side).
exports.PipelineClient = exports.MosecModule = exports.MosecAdmin = exports.MOSEC_OPTIONS = undefined;
loadedOnRead('PipelineClient', () => require('./client/pipeline.client').PipelineClient);
loadedOnRead('MosecModule', () => require('./module/mosec.module').MosecModule);
loadedOnRead('MosecAdmin', () => require('./module/mosec.admin').MosecAdmin);
loadedOnRead('MOSEC_OPTIONS', () => require('./module/mosec.module-definition').MOSEC_OPTIONS);

function loadedOnRead(name: string, load: () => unknown): void {
  Object.defineProperty(exports, name, { enumerable: true, get: load });
}
