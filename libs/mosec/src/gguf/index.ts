export { parseGguf, tensorBytes } from './gguf-file';
export type { GgufFile, GgufTensorInfo, GgufValue } from './gguf-file';
export { GgmlType, dequantize, SUPPORTED_TYPES } from './ggml-types';
export { readLlamaConfig, SUPPORTED_ARCHITECTURES } from './llama-config';
export type { LlamaConfig } from './llama-config';
export { convertGguf } from './convert';
export { SUPPORTED_PRE_TOKENIZERS } from './tokenizer-files';
