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
export { MosecModule } from './mosec.module';
export { MOSEC_OPTIONS } from './mosec-module-definition';
export { PipelineClient } from './client/pipeline-client';
export { MosecAdmin } from './gateway/mosec-admin.service';
