export { Stage } from './decorators/stage.decorator';
export { Pipeline } from './decorators/pipeline.decorator';
export { InjectPipeline, getPipelineToken } from './decorators/inject-pipeline.decorator';
export type { StageOptions, PipelineOptions } from './decorators/metadata';
export type { Worker, BatchWorker, WorkerContext, WorkerIdentity, WorkerCodecs, RequestContext } from './interfaces';
export { StreamCancelled, StreamWorker } from './worker/stream-worker';
export type { RunOptions } from './client/pipeline-client';
export type { PriorityName } from './gateway/admission';
export type { FieldProblem, ValidationFailure } from './validation/request-validator';
export {
  MosecError,
  ClientError,
  DecodingError,
  ValidationError,
  ServerError,
  EncodingError,
} from './errors';
export { PipelineError } from './pipeline-error';
export { MosecConfig } from './config/mosec-config';
export type { StageStatus, WorkerStatus } from './gateway/mosec-admin.service';
export type { MosecOptions, MosecExtras } from './config/mosec-options';
export type { DaemonOptions } from './config/daemon-options';
export { MOSEC_WORKER } from './mosec.constants';
export * from './onnx';

// The HTTP side (the module, its options token, the admin, the client) is loaded when first read:
// a worker process requires this file through its stage's imports and never reads them, and would
// otherwise load the whole service (Nest's core, the engine, prom-client) for nothing.
import type { PipelineClient as PipelineClientClass } from './client/pipeline-client';
import type { MosecModule as MosecModuleClass } from './mosec.module';
import type { MosecAdmin as MosecAdminClass } from './gateway/mosec-admin.service';
export declare const PipelineClient: typeof PipelineClientClass;
export type PipelineClient<Input = unknown, Output = unknown> = PipelineClientClass<Input, Output>;
export declare const MosecModule: typeof MosecModuleClass;
export type MosecModule = MosecModuleClass;
export declare const MosecAdmin: typeof MosecAdminClass;
export type MosecAdmin = MosecAdminClass;
export declare const MOSEC_OPTIONS: typeof import('./mosec-module-definition').MOSEC_OPTIONS;
// Assigned first so that Node sees these names when an ES module imports this CommonJS file (it reads
// exports from assignments; such an import reads every export at once, and so loads the HTTP side).
exports.PipelineClient = exports.MosecModule = exports.MosecAdmin = exports.MOSEC_OPTIONS = undefined;
loadedOnRead('PipelineClient', () => require('./client/pipeline-client').PipelineClient);
loadedOnRead('MosecModule', () => require('./mosec.module').MosecModule);
loadedOnRead('MosecAdmin', () => require('./gateway/mosec-admin.service').MosecAdmin);
loadedOnRead('MOSEC_OPTIONS', () => require('./mosec-module-definition').MOSEC_OPTIONS);

function loadedOnRead(name: string, load: () => unknown): void {
  Object.defineProperty(exports, name, { enumerable: true, get: load });
}
