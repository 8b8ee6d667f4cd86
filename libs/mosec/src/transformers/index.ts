// Transformer models (text in, tokenizer, graph, pooling): a subpath of its own, so that an app that
// does not import it never loads @huggingface/tokenizers (and the tokenizer loads only in `TextTokenizer.load`).
export { readModelDirectory } from './model-directory';
export type { ModelDirectory, Pooling } from './model-directory';
export { TextTokenizer } from './text-tokenizer';
export type { TokenizedText } from './text-tokenizer';
export { SentenceEncoder } from './sentence-encoder';
export type { SentenceEncoderOptions } from './sentence-encoder';
export { groupByLength, paddedTokens } from './length-groups';
export type { LengthGroupOptions } from './length-groups';
export { pool, normalize } from './pooling';
