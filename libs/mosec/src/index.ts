export { Stage } from './decorators/stage.decorator';
export { Pipeline } from './decorators/pipeline.decorator';
export { InjectPipeline, getPipelineToken } from './decorators/inject-pipeline.decorator';
export type { StageOptions, PipelineOptions } from './decorators/metadata';
export type { Worker, BatchWorker, WorkerContext, WorkerIdentity, WorkerCodecs, RequestContext } from './interfaces';
export { StreamWorker } from './worker/stream-worker';
export { PipelineClient } from './client/pipeline.client';
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
export { MosecModule } from './module/mosec.module';
export { MOSEC_OPTIONS } from './module/mosec.module-definition';
export { MosecConfig } from './module/mosec-config';
export { MosecAdmin } from './module/mosec.admin';
export type { StageStatus, WorkerStatus } from './module/mosec.admin';
export type { MosecOptions, MosecExtras } from './module/mosec-options';
export type { DaemonOptions } from './module/daemon-options';
export { MOSEC_WORKER } from './mosec.constants';
export * from './onnx';
