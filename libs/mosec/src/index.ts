export { Stage } from './decorators/stage.decorator';
export { Pipeline } from './decorators/pipeline.decorator';
export type { StageOptions, PipelineOptions } from './decorators/metadata';
export type { Worker, BatchWorker, WorkerContext, WorkerCodecs } from './interfaces';
export { StreamWorker } from './worker/stream-worker';
export type { FieldProblem, ValidationFailure } from './http/validation';
export {
  MosecError,
  ClientError,
  DecodingError,
  ValidationError,
  ServerError,
  EncodingError,
} from './errors';
export { MosecModule } from './module/mosec.module';
export { MosecConfig } from './module/mosec-config';
export type { MosecOptions, MosecAsyncOptions } from './module/mosec-options';
export * from './onnx';
