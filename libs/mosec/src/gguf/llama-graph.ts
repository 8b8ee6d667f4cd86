/**
 * The ONNX graph of a llama-family decoder with a key/value cache, in standard ONNX operators
 * (opset 17) but for the linear layers of block-quantised weights (onnxruntime's MatMulNBits, see block-linear.ts):
 *
 *   inputs   input_ids [batch, sequence] int64, attention_mask [batch, past + sequence] int64,
 *            position_ids [batch, sequence] int64, past_key_values.{i}.key/value [batch, kv_heads, past, head_dim]
 *   outputs  logits [batch, sequence, vocab], present.{i}.key/value [batch, kv_heads, past + sequence, head_dim],
 *            new_key_values.{i}.key/value [batch, kv_heads, sequence, head_dim] (the new tokens' alone)
 *
 * Batch and lengths are dynamic, so one graph serves prefill (past 0) and batched decode. A column
 * whose attention_mask is 0 is never attended to, so sequences may be padded on either side; the
 * causal mask is by column, and position_ids carry each token's true position.
 *
 * Per layer: RMSNorm, Q/K/V projections, rotary embedding on the two halves of each head,
 * grouped-query attention (query heads reshaped into [kv_heads, group] so MatMul broadcasts over the
 * shared key/value heads without copying them), output projection, residual; RMSNorm, SwiGLU, residual.
 */
import { ElementType, GraphParts, node, tensorValue } from '../onnx-writer';
import { GraphBuilder } from './graph-builder';
import { int8Linear, transposed } from './int8-linear';
import { blockLinear, isBlockQuantized } from './block-linear';
import { LlamaConfig } from './llama-config';
import type { LayerWeights } from './llama-weights';
import type { Matrix } from './matrix';

export interface LlamaWeights {
  embedding: Matrix;
  /** `[vocab][hidden]`; the embedding itself when tied. */
  outputProjection: Matrix;
  finalNorm: Float32Array;
  layer(index: number): LayerWeights;
}

/** A float32 scalar's stand-in for minus infinity, as Hugging Face's masks use: softmax stays finite. */
const MASKED = -3.4028234663852886e38;

/**
 * gguf: Q4_0 and Q4_1 linear weights keep the GGUF's blocks and exact values (others become float32);
 * float32: every weight expanded; int8: linear weights requantised per output column (lossy).
 */
export type WeightType = 'gguf' | 'float32' | 'int8';

export function buildLlamaGraph(config: LlamaConfig, weights: LlamaWeights, weightType: WeightType = 'float32'): GraphParts {
  const g = new GraphBuilder();
  const { heads, kvHeads, headDim, hiddenSize, vocabSize } = config;
  const group = heads / kvHeads;
  const half = headDim / 2;

  const eps = g.scalar('rms_eps', config.rmsNormEps);
  const attentionScale = g.scalar('attention_scale', 1 / Math.sqrt(headDim));
  const zero = g.scalar('zero', 0);
  const masked = g.scalar('masked', MASKED);
  const one64 = g.scalar('one_i64', 1, ElementType.INT64);
  const zero64 = g.scalar('zero_i64', 0, ElementType.INT64);
  const axis1 = g.int64s('axes_1', [1]);
  const axis2 = g.int64s('axes_2', [2]);
  const axes12 = g.int64s('axes_1_2', [1, 2]);
  const halves = g.int64s('rotary_halves', [half, half]);

  // Causal and padding mask, shared by every layer: [batch, 1, 1, sequence, total] of 0 or MASKED.
  const idsShape = g.add('Shape', ['input_ids'], 'input_ids_shape');
  const sequence = g.add('Gather', [idsShape, g.scalar('index_1', 1, ElementType.INT64)], 'sequence_length', { axis: 0 });
  const total = g.add('Gather', [g.add('Shape', ['attention_mask'], 'mask_shape'), 'index_1'], 'total_length', { axis: 0 });
  const past = g.add('Sub', [total, sequence], 'past_length');
  const queryColumns = g.add('Range', [past, total, one64], 'query_columns');
  const keyColumns = g.add('Range', [zero64, total, one64], 'key_columns');
  const causal = g.add('LessOrEqual', [keyColumns, g.add('Unsqueeze', [queryColumns, axis1], 'query_columns_2d')], 'causal');
  const keep = g.add('Unsqueeze', [g.add('Cast', ['attention_mask'], 'mask_bool', { to: ElementType.BOOL }), axis1], 'mask_rows');
  const allowed = g.add('And', [causal, keep], 'allowed');
  const bias = g.add('Unsqueeze', [g.add('Where', [allowed, zero, masked], 'mask_bias_3d'), axes12], 'mask_bias');

  // Rotary tables from the positions: [batch, 1, sequence, head_dim].
  const inverseFrequencies = new Float32Array(half).map((_, i) => 1 / config.ropeTheta ** ((2 * i) / headDim));
  const positions = g.add('Unsqueeze', [g.add('Cast', ['position_ids'], 'positions_float', { to: ElementType.FLOAT }), axis2], 'positions_3d');
  const angles = g.add('Mul', [positions, g.floats('inverse_frequencies', [half], inverseFrequencies)], 'angles_half');
  const fullAngles = g.add('Concat', [angles, angles], 'angles', { axis: -1 });
  const cos = g.add('Unsqueeze', [g.add('Cos', [fullAngles], 'cos_3d'), axis1], 'cos');
  const sin = g.add('Unsqueeze', [g.add('Sin', [fullAngles], 'sin_3d'), axis1], 'sin');

  const rmsNorm = (x: string, weight: Float32Array, name: string) => {
    const meanSquare = g.add('ReduceMean', [g.add('Mul', [x, x], `${name}_square`)], `${name}_mean_square`, { axes: [-1], keepdims: 1 });
    const rms = g.add('Sqrt', [g.add('Add', [meanSquare, eps], `${name}_eps`)], `${name}_rms`);
    return g.add('Mul', [g.add('Div', [x, rms], `${name}_normed`), g.floats(`${name}.weight`, [hiddenSize], weight)], name);
  };
  const linear = (x: string, matrix: Matrix, name: string) =>
    weightType === 'int8'
      ? int8Linear(g, x, matrix, name)
      : weightType === 'gguf' && isBlockQuantized(matrix.stored)
        ? blockLinear(g, x, matrix.stored, name)
        : g.add('MatMul', [x, g.matrix(`${name}.weight`, matrix)], name);
  // [batch, sequence, n * head_dim] -> [batch, n, sequence, head_dim]
  const splitHeads = (x: string, n: number, name: string) =>
    g.add('Transpose', [g.add('Reshape', [x, g.int64s(`${name}_shape`, [0, 0, n, headDim])], `${name}_4d`)], name, { perm: [0, 2, 1, 3] });
  const rotate = (x: string, name: string) => {
    g.nodes.push(node('Split', [x, halves], [`${name}_first`, `${name}_second`], { axis: -1 }));
    const rotated = g.add('Concat', [g.add('Neg', [`${name}_second`], `${name}_second_negated`), `${name}_first`], `${name}_rotated`, { axis: -1 });
    return g.add('Add', [g.add('Mul', [x, cos], `${name}_cos`), g.add('Mul', [rotated, sin], `${name}_sin`)], name);
  };

  const inputs = [
    tensorValue('input_ids', ElementType.INT64, ['batch', 'sequence']),
    tensorValue('attention_mask', ElementType.INT64, ['batch', 'total_sequence']),
    tensorValue('position_ids', ElementType.INT64, ['batch', 'sequence']),
  ];
  const outputs = [tensorValue('logits', ElementType.FLOAT, ['batch', 'sequence', vocabSize])];

  let hidden = g.add('Gather', [g.matrix('embed_tokens.weight', weights.embedding), 'input_ids'], 'embeddings', { axis: 0 });
  for (let i = 0; i < config.layers; i++) {
    const w = weights.layer(i);
    const p = `layers.${i}`;
    const cacheShape = ['batch', kvHeads, 'past_sequence', headDim];
    const presentShape = ['batch', kvHeads, 'total_sequence', headDim];
    inputs.push(tensorValue(`past_key_values.${i}.key`, ElementType.FLOAT, cacheShape));
    inputs.push(tensorValue(`past_key_values.${i}.value`, ElementType.FLOAT, cacheShape));
    outputs.push(tensorValue(`present.${i}.key`, ElementType.FLOAT, presentShape));
    outputs.push(tensorValue(`present.${i}.value`, ElementType.FLOAT, presentShape));

    const normed = rmsNorm(hidden, w.attentionNorm, `${p}.input_layernorm`);
    const query = rotate(splitHeads(linear(normed, w.query, `${p}.q_proj`), heads, `${p}.query`), `${p}.query_rotary`);
    const key = rotate(splitHeads(linear(normed, w.key, `${p}.k_proj`), kvHeads, `${p}.key`), `${p}.key_rotary`);
    const value = splitHeads(linear(normed, w.value, `${p}.v_proj`), kvHeads, `${p}.value`);
    // The new tokens' keys and values alone, so that a caller keeping the cache can take them without
    // the whole cache coming back (onnxruntime-node copies every output it returns).
    const newShape = ['batch', kvHeads, 'sequence', headDim];
    outputs.push(tensorValue(`new_key_values.${i}.key`, ElementType.FLOAT, newShape));
    outputs.push(tensorValue(`new_key_values.${i}.value`, ElementType.FLOAT, newShape));
    g.add('Identity', [key], `new_key_values.${i}.key`);
    g.add('Identity', [value], `new_key_values.${i}.value`);
    const presentKey = g.add('Concat', [`past_key_values.${i}.key`, key], `present.${i}.key`, { axis: 2 });
    const presentValue = g.add('Concat', [`past_key_values.${i}.value`, value], `present.${i}.value`, { axis: 2 });

    // Grouped-query attention: [batch, kv_heads, group, sequence, head_dim] against [batch, kv_heads, 1, total, head_dim].
    const groupedShape = g.int64s(`${p}.grouped_shape`, [0, kvHeads, group, -1, headDim]);
    const groupedQuery = g.add('Reshape', [g.add('Mul', [query, attentionScale], `${p}.query_scaled`), groupedShape], `${p}.query_grouped`);
    const keys = g.add('Transpose', [g.add('Unsqueeze', [presentKey, axis2], `${p}.keys_5d`)], `${p}.keys_transposed`, { perm: [0, 1, 2, 4, 3] });
    const scores = g.add('Add', [g.add('MatMul', [groupedQuery, keys], `${p}.scores_raw`), bias], `${p}.scores`);
    const weightsOfValues = g.add('Softmax', [scores], `${p}.attention_weights`, { axis: -1 });
    const context5d = g.add('MatMul', [weightsOfValues, g.add('Unsqueeze', [presentValue, axis2], `${p}.values_5d`)], `${p}.context_5d`);
    const context4d = g.add('Reshape', [context5d, g.int64s(`${p}.heads_shape`, [0, heads, -1, headDim])], `${p}.context_heads`);
    const context = g.add(
      'Reshape',
      [g.add('Transpose', [context4d], `${p}.context_transposed`, { perm: [0, 2, 1, 3] }), g.int64s(`${p}.merged_shape`, [0, 0, hiddenSize])],
      `${p}.context`,
    );
    hidden = g.add('Add', [hidden, linear(context, w.output, `${p}.o_proj`)], `${p}.attention_residual`);

    const normed2 = rmsNorm(hidden, w.feedForwardNorm, `${p}.post_attention_layernorm`);
    const gate = linear(normed2, w.gate, `${p}.gate_proj`);
    const silu = g.add('Mul', [gate, g.add('Sigmoid', [gate], `${p}.gate_sigmoid`)], `${p}.gate_silu`);
    const activated = g.add('Mul', [silu, linear(normed2, w.up, `${p}.up_proj`)], `${p}.swiglu`);
    hidden = g.add('Add', [hidden, linear(activated, w.down, `${p}.down_proj`)], `${p}.output`);
  }

  const finalNormed = rmsNorm(hidden, weights.finalNorm, 'norm');
  const projection = weights.outputProjection;
  if (weightType === 'int8') {
    int8Linear(g, finalNormed, transposed(projection), 'logits');
  } else {
    // Gemm's transB reads the [vocab][hidden] table as it is, so a tied embedding is stored once.
    const flat = g.add('Reshape', [finalNormed, g.int64s('flat_shape', [-1, hiddenSize])], 'norm_flat');
    const table = config.tiedEmbeddings ? 'embed_tokens.weight' : g.matrix('lm_head.weight', projection);
    const flatLogits = g.add('Gemm', [flat, table], 'logits_flat', { transB: 1 });
    const logitsShape = g.add('Concat', [idsShape, g.int64s('vocab_size', [vocabSize])], 'logits_shape', { axis: 0 });
    g.add('Reshape', [flatLogits, logitsShape], 'logits');
  }

  return { name: 'llama', inputs, outputs, nodes: g.nodes, initializers: g.initializers };
}
