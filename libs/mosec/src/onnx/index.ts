export { loadOnnxSession, resolveModelPath, resolveSessionOptions, ONNX_MODEL_ENV, ONNX_THREADS_ENV } from './load-session';
export type { OnnxSessionOptions } from './load-session';
export { OnnxBatchRunner } from './batch-runner';
export type { OnnxBatchOptions, PadOptions, UnpadOptions, ItemFeeds, ItemResults } from './batch-runner';
export { defaultIntraOpThreads, stageWorkerCount } from './threads';
export { stackItems, paddingMask } from './stack';
export type { StackedTensor } from './stack';
export { splitBatch, trimAxis } from './split';
export type { ItemTensor, ItemInput, TensorData, NumericType } from './item-tensor';
