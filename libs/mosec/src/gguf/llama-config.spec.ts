import { GgufFile, GgufTensorInfo, GgufValue } from './gguf-file';
import { GgmlType } from './ggml-types';
import { readLlamaConfig } from './llama-config';

const SMOLLM2: Record<string, GgufValue> = {
  'general.architecture': 'llama',
  'llama.block_count': 30,
  'llama.context_length': 8192,
  'llama.embedding_length': 576,
  'llama.feed_forward_length': 1536,
  'llama.attention.head_count': 9,
  'llama.attention.head_count_kv': 3,
  'llama.rope.freq_base': 100000,
  'llama.attention.layer_norm_rms_epsilon': 1e-5,
  'llama.vocab_size': 49152,
  'llama.rope.dimension_count': 64,
};

function file(metadata: Record<string, GgufValue>, extraTensors: string[] = []): GgufFile {
  const tensor = (name: string, dims: number[]): [string, GgufTensorInfo] => [name, { name, dims, type: GgmlType.F32, offset: 0, byteLength: 0 }];
  return {
    version: 3,
    metadata: new Map(Object.entries(metadata)),
    tensors: new Map([tensor('token_embd.weight', [576, 49152]), ...extraTensors.map((name) => tensor(name, [1]))]),
    buffer: Buffer.alloc(0),
  };
}

describe('readLlamaConfig', () => {
  it('reads SmolLM2-135M\'s hyper-parameters, tied embeddings when there is no output.weight', () => {
    expect(readLlamaConfig(file(SMOLLM2))).toEqual({
      layers: 30,
      hiddenSize: 576,
      intermediateSize: 1536,
      heads: 9,
      kvHeads: 3,
      headDim: 64,
      vocabSize: 49152,
      contextLength: 8192,
      ropeTheta: 100000,
      rmsNormEps: 1e-5,
      tiedEmbeddings: true,
    });
    expect(readLlamaConfig(file(SMOLLM2, ['output.weight'])).tiedEmbeddings).toBe(false);
  });

  it('names what it does not support', () => {
    expect(() => readLlamaConfig(file({ ...SMOLLM2, 'general.architecture': 'qwen2' }))).toThrow(
      'GGUF architecture "qwen2" is not supported (supported: llama)',
    );
    expect(() => readLlamaConfig(file({ ...SMOLLM2, 'llama.rope.dimension_count': 32 }))).toThrow('partial rotary is not supported');
    expect(() => readLlamaConfig(file({ ...SMOLLM2, 'llama.rope.scaling.type': 'yarn' }))).toThrow('rope scaling "yarn"');
    expect(() => readLlamaConfig(file(SMOLLM2, ['rope_freqs.weight']))).toThrow('rope_freqs.weight');
    expect(() => readLlamaConfig(file({ ...SMOLLM2, 'llama.expert_count': 8 }))).toThrow('mixture of experts');
    expect(() => readLlamaConfig(file({ ...SMOLLM2, 'llama.attention.head_count_kv': 2 }))).toThrow('do not divide');
    const { ['llama.block_count']: _, ...noLayers } = SMOLLM2;
    expect(() => readLlamaConfig(file(noLayers))).toThrow('GGUF metadata llama.block_count is missing');
  });
});
