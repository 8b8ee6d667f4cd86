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
export { CausalLm, readCausalConfig } from './causal-lm';
export type { CausalConfig, LmRow } from './causal-lm';
export { ChatTokenizer } from './chat-tokenizer';
export type { ChatMessage } from './chat-tokenizer';
export { Sampler } from './sampler';
export type { SamplingOptions } from './sampler';
export { TextStream } from './text-stream';
export { TextGenerationWorker, TextSequence } from './text-generation';
export type { GenerationRequest, TokenEvent } from './text-generation';
