/**
 * A llama model's weights out of a GGUF file, as float32 in the layout the ONNX graph wants.
 *
 * GGUF stores a linear layer `y = W x` as dims `[in, out]`, innermost first: row-major `[out][in]`,
 * the same as PyTorch's `weight`. MatMul wants `[in][out]`, so linear weights are transposed here.
 *
 * llama.cpp's converter permutes the rows of the query and key projections of every head so that
 * its rotary embedding can rotate adjacent pairs (2i, 2i+1); the Hugging Face model rotates the two
 * halves (i, i + d/2). The permutation is undone here, and the graph rotates halves:
 * GGUF row `h*d + 2i + s` is row `h*d + s*d/2 + i` of the original (s in {0, 1}, i < d/2).
 */
import type { Matrix } from './matrix';
import { dequantize } from './ggml-types';
import { GgufFile, tensorBytes } from './gguf-file';
import { LlamaConfig } from './llama-config';

function tensor(file: GgufFile, name: string, dims: number[]): Float32Array {
  const info = file.tensors.get(name);
  if (!info) throw new Error(`GGUF tensor ${name} is missing`);
  if (info.dims.length !== dims.length || info.dims.some((dim, i) => dim !== dims[i])) {
    throw new Error(`GGUF tensor ${name} is [${info.dims.join(', ')}], expected [${dims.join(', ')}]`);
  }
  const count = dims.reduce((product, dim) => product * dim, 1);
  return dequantize(info.type, tensorBytes(file, info), count, name);
}

/** A norm's weight vector. */
export function vector(file: GgufFile, name: string, length: number): Float32Array {
  return tensor(file, name, [length]);
}

/** `[vocab][hidden]`, as stored: the embedding table, and with Gemm's transB the output projection. */
export function vocabularyMatrix(file: GgufFile, name: string, config: LlamaConfig): Matrix {
  const values = tensor(file, name, [config.hiddenSize, config.vocabSize]);
  return { rows: config.vocabSize, columns: config.hiddenSize, values };
}

/**
 * A linear layer's weight as `[in][out]` for MatMul. `headDim` undoes the rotary permutation of a
 * query or key projection whose output is heads of that size.
 */
export function linear(file: GgufFile, name: string, inputs: number, outputs: number, headDim?: number): Matrix {
  const dense = tensor(file, name, [inputs, outputs]);
  const source = headDim ? unpermutedRows(outputs, headDim) : undefined;
  const values = new Float32Array(inputs * outputs);
  for (let out = 0; out < outputs; out++) {
    const from = (source ? source[out] : out) * inputs;
    for (let i = 0; i < inputs; i++) values[i * outputs + out] = dense[from + i];
  }
  const info = file.tensors.get(name)!;
  const stored = { type: info.type, bytes: tensorBytes(file, info), inputs, outputs, rowOrder: source };
  return { rows: inputs, columns: outputs, values, stored };
}

/** For each original row, the GGUF row that holds it. */
export function unpermutedRows(rows: number, headDim: number): Int32Array {
  if (rows % headDim !== 0 || headDim % 2 !== 0) throw new Error(`${rows} rows do not split into heads of ${headDim}`);
  const half = headDim / 2;
  const source = new Int32Array(rows);
  for (let head = 0; head < rows / headDim; head++) {
    for (let s = 0; s < 2; s++) {
      for (let i = 0; i < half; i++) source[head * headDim + s * half + i] = head * headDim + 2 * i + s;
    }
  }
  return source;
}

export interface LayerWeights {
  attentionNorm: Float32Array;
  query: Matrix;
  key: Matrix;
  value: Matrix;
  output: Matrix;
  feedForwardNorm: Float32Array;
  gate: Matrix;
  up: Matrix;
  down: Matrix;
}

export function layerWeights(file: GgufFile, config: LlamaConfig, layer: number): LayerWeights {
  const { hiddenSize: hidden, intermediateSize: intermediate, headDim } = config;
  const kvSize = config.kvHeads * headDim;
  const name = (part: string) => `blk.${layer}.${part}.weight`;
  return {
    attentionNorm: vector(file, name('attn_norm'), hidden),
    query: linear(file, name('attn_q'), hidden, hidden, headDim),
    key: linear(file, name('attn_k'), hidden, kvSize, headDim),
    value: linear(file, name('attn_v'), hidden, kvSize),
    output: linear(file, name('attn_output'), hidden, hidden),
    feedForwardNorm: vector(file, name('ffn_norm'), hidden),
    gate: linear(file, name('ffn_gate'), hidden, intermediate),
    up: linear(file, name('ffn_up'), hidden, intermediate),
    down: linear(file, name('ffn_down'), intermediate, hidden),
  };
}
