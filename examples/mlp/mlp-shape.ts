/**
 * What the stages and the model generator agree on, kept apart from the generator so that worker
 * processes import these names without loading the protobuf code.
 *
 * Layer widths, input first and classes last. 16 -> 512 -> 512 -> 10 has ~275k weights (1.1 MB): one
 * request is a matrix-vector product that reads every weight for 16 inputs, while a batch of 64 reads
 * them once for all 64 rows, so batching pays on a CPU.
 */
export const MLP_SIZES: readonly number[] = [16, 512, 512, 10];
export const MLP_SEED = 42;
export const MLP_INPUT = 'features';
export const MLP_OUTPUT = 'probabilities';
/** Where the workers read the model file from. */
export const MLP_MODEL_ENV = 'MLP_MODEL_PATH';
