/**
 * GGUF file in, model directory out, in the Hugging Face layout:
 *
 *   onnx/model.onnx            the decoder with its key/value cache (see llama-graph.ts)
 *   config.json                LlamaConfig's fields
 *   generation_config.json     bos / eos / pad token ids
 *   tokenizer.json             byte-level BPE for `@huggingface/tokenizers`
 *   tokenizer_config.json      special tokens and the chat template
 *
 * Each file is written under a temporary name and renamed, so a reader never sees half of one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeModel, writeFileAtomically } from '../onnx-writer';
import { parseGguf, GgufFile } from './gguf-file';
import { LlamaConfig, readLlamaConfig } from './llama-config';
import { buildLlamaGraph, WeightType } from './llama-graph';
import { layerWeights, vector, vocabularyMatrix } from './llama-weights';
import { specialTokens, tokenizerConfigJson, tokenizerJson } from './tokenizer-files';

export function huggingFaceConfig(config: LlamaConfig, file: GgufFile): object {
  const special = specialTokens(file);
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    hidden_act: 'silu',
    hidden_size: config.hiddenSize,
    intermediate_size: config.intermediateSize,
    num_attention_heads: config.heads,
    num_key_value_heads: config.kvHeads,
    head_dim: config.headDim,
    num_hidden_layers: config.layers,
    max_position_embeddings: config.contextLength,
    rms_norm_eps: config.rmsNormEps,
    rope_theta: config.ropeTheta,
    tie_word_embeddings: config.tiedEmbeddings,
    vocab_size: config.vocabSize,
    bos_token_id: special.bos ?? null,
    eos_token_id: special.eos ?? null,
    pad_token_id: special.pad ?? null,
    torch_dtype: 'float32',
  };
}

function writeJson(path: string, value: object): void {
  writeFileAtomically(path, Buffer.from(`${JSON.stringify(value, null, 2)}\n`));
}

export interface ConversionResult {
  config: LlamaConfig;
  modelBytes: number;
}

/**
 * `weightType` gguf (default) keeps Q4_0 and Q4_1 linear weights as the GGUF has them
 * (MatMulNBits) and expands the rest to float32; float32 expands everything; int8 requantises every
 * linear weight.
 */
export function convertGguf(ggufPath: string, outputDir: string, weightType: WeightType = 'gguf'): ConversionResult {
  const file = parseGguf(readFileSync(ggufPath));
  const config = readLlamaConfig(file);
  // Tokenizer first: it fails fast on an unsupported vocabulary, before the long part.
  const tokenizer = tokenizerJson(file);
  const tokenizerConfig = tokenizerConfigJson(file, config.contextLength);

  const embedding = vocabularyMatrix(file, 'token_embd.weight', config);
  const graph = buildLlamaGraph(config, {
    embedding,
    outputProjection: config.tiedEmbeddings ? embedding : vocabularyMatrix(file, 'output.weight', config),
    finalNorm: vector(file, 'output_norm.weight', config.hiddenSize),
    layer: (index) => layerWeights(file, config, index),
  }, weightType);
  const model = encodeModel(graph);
  writeFileAtomically(join(outputDir, 'onnx', 'model.onnx'), model);

  const special = specialTokens(file);
  writeJson(join(outputDir, 'config.json'), huggingFaceConfig(config, file));
  writeJson(join(outputDir, 'generation_config.json'), {
    bos_token_id: special.bos ?? null,
    eos_token_id: special.eos ?? null,
    pad_token_id: special.pad ?? null,
  });
  writeJson(join(outputDir, 'tokenizer.json'), tokenizer);
  writeJson(join(outputDir, 'tokenizer_config.json'), tokenizerConfig);
  return { config, modelBytes: model.byteLength };
}
