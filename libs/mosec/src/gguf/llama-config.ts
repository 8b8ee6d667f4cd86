/**
 * The hyper-parameters of a llama-family model, read from its GGUF metadata, with a clear error for
 * what the converter does not support (another architecture, partial rotary, rope scaling).
 */
import { GgufFile, isNumber, isString, requireMetadata } from './gguf-file';

export interface LlamaConfig {
  layers: number;
  hiddenSize: number;
  intermediateSize: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  vocabSize: number;
  contextLength: number;
  ropeTheta: number;
  rmsNormEps: number;
  /** True when the file has no `output.weight`: the output projection is the token embedding. */
  tiedEmbeddings: boolean;
}

export const SUPPORTED_ARCHITECTURES = ['llama'];

export function readLlamaConfig(file: GgufFile): LlamaConfig {
  const architecture = requireMetadata(file, 'general.architecture', isString);
  if (!SUPPORTED_ARCHITECTURES.includes(architecture)) {
    throw new Error(`GGUF architecture "${architecture}" is not supported (supported: ${SUPPORTED_ARCHITECTURES.join(', ')})`);
  }
  const number = (key: string) => requireMetadata(file, `${architecture}.${key}`, isNumber);
  const optional = (key: string, fallback: number) => {
    const value = file.metadata.get(`${architecture}.${key}`);
    return typeof value === 'number' ? value : fallback;
  };

  const hiddenSize = number('embedding_length');
  const heads = number('attention.head_count');
  const kvHeads = optional('attention.head_count_kv', heads);
  if (hiddenSize % heads !== 0 || heads % kvHeads !== 0) {
    throw new Error(`GGUF model has ${hiddenSize} features, ${heads} heads and ${kvHeads} key/value heads: they do not divide`);
  }
  const headDim = hiddenSize / heads;
  const ropeDimensions = optional('rope.dimension_count', headDim);
  if (ropeDimensions !== headDim) {
    throw new Error(`GGUF model rotates ${ropeDimensions} of ${headDim} head dimensions: partial rotary is not supported`);
  }
  const scaling = file.metadata.get(`${architecture}.rope.scaling.type`);
  if (scaling !== undefined && scaling !== 'none') {
    throw new Error(`GGUF model uses rope scaling "${String(scaling)}", which is not supported`);
  }
  if (file.tensors.has('rope_freqs.weight')) {
    throw new Error('GGUF model scales its rotary frequencies (rope_freqs.weight), which is not supported');
  }
  if (file.metadata.has(`${architecture}.expert_count`) && optional('expert_count', 0) > 0) {
    throw new Error('GGUF model is a mixture of experts, which is not supported');
  }

  const tokens = file.metadata.get('tokenizer.ggml.tokens');
  const vocabSize = optional('vocab_size', Array.isArray(tokens) ? tokens.length : 0);
  const embedding = file.tensors.get('token_embd.weight');
  if (!embedding || embedding.dims[0] !== hiddenSize || embedding.dims[1] !== vocabSize) {
    throw new Error(`GGUF token_embd.weight must be [${hiddenSize}, ${vocabSize}], not [${embedding?.dims.join(', ') ?? 'missing'}]`);
  }

  return {
    layers: number('block_count'),
    hiddenSize,
    intermediateSize: number('feed_forward_length'),
    heads,
    kvHeads,
    headDim,
    vocabSize,
    contextLength: number('context_length'),
    ropeTheta: optional('rope.freq_base', 10000),
    rmsNormEps: number('attention.layer_norm_rms_epsilon'),
    tiedEmbeddings: !file.tensors.has('output.weight'),
  };
}
