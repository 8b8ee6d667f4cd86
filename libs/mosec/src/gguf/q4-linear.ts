/**
 * A linear layer that keeps a Q4_0 / Q4_1 weight as it is in the GGUF file, in onnxruntime's
 * MatMulNBits (com.microsoft): 4-bit values in blocks of 32 along the input, a float scale and a
 * float zero point per block, value = (q - zero) * scale. Q4_1's q * d + m is (q - (-m / d)) * d.
 */
import { ElementType } from '../onnx-writer';
import { GgmlType, halfToFloat } from './ggml-types';
import { GraphBuilder } from './graph-builder';
import { Matrix } from './llama-weights';

const BLOCK = 32;

export function isQ4(matrix: Matrix): boolean {
  return matrix.stored?.type === GgmlType.Q4_1 || matrix.stored?.type === GgmlType.Q4_0;
}

export function q4Linear(g: GraphBuilder, x: string, matrix: Matrix, name: string): string {
  const { type, bytes, rowOrder } = matrix.stored!;
  const inputs = matrix.rows;
  const outputs = matrix.columns;
  const blocks = inputs / BLOCK;
  const blockBytes = type === GgmlType.Q4_1 ? 20 : 18;
  const packed = new Uint8Array(outputs * blocks * (BLOCK / 2));
  const scales = new Float32Array(outputs * blocks);
  // [blocks][outputs]: what each block adds for every unit of its inputs' sum.
  const offsets = new Float32Array(blocks * outputs);
  for (let out = 0; out < outputs; out++) {
    const row = rowOrder ? rowOrder[out] : out;
    for (let block = 0; block < blocks; block++) {
      const at = (row * blocks + block) * blockBytes;
      const d = halfToFloat(bytes.readUInt16LE(at));
      const m = type === GgmlType.Q4_1 ? halfToFloat(bytes.readUInt16LE(at + 2)) : 0;
      const quants = at + (type === GgmlType.Q4_1 ? 4 : 2);
      const index = out * blocks + block;
      scales[index] = d;
      // MatMulNBits without zero points computes (q - 8) * d: q * d + m is that plus m + 8d.
      offsets[block * outputs + out] = type === GgmlType.Q4_1 ? m + 8 * d : 0;
      // GGUF: byte j holds values j (low) and j + 16 (high); MatMulNBits: values 2j (low) and 2j + 1 (high).
      const value = (k: number) => (k < 16 ? bytes[quants + k] & 0x0f : bytes[quants + k - 16] >> 4);
      for (let j = 0; j < BLOCK / 2; j++) packed[index * (BLOCK / 2) + j] = value(2 * j) | (value(2 * j + 1) << 4);
    }
  }
  g.initializers.push({ name: `${name}.weight_q4`, dims: [outputs, blocks, BLOCK / 2], dataType: ElementType.UINT8, rawData: packed });
  g.floats(`${name}.weight_scales`, [outputs * blocks], scales);
  g.nodes.push({
    opType: 'MatMulNBits',
    domain: 'com.microsoft',
    input: [x, `${name}.weight_q4`, `${name}.weight_scales`],
    output: [`${name}.symmetric`],
    name: `MatMulNBits_${name}`,
    attribute: [
      { name: 'K', i: inputs, type: 2 },
      { name: 'N', i: outputs, type: 2 },
      { name: 'bits', i: 4, type: 2 },
      { name: 'block_size', i: BLOCK, type: 2 },
    ],
  });
  if (type !== GgmlType.Q4_1) return g.add('Identity', [`${name}.symmetric`], name);
  const blockShape = g.int64s(`${name}.block_shape`, [0, 0, blocks, BLOCK]);
  const blockSums = g.add('ReduceSum', [g.add('Reshape', [x, blockShape], `${name}.input_blocks`), g.int64s(`${name}.sum_axis`, [-1])], `${name}.block_sums`, { keepdims: 0 });
  const offset = g.add('MatMul', [blockSums, g.floats(`${name}.weight_offsets`, [blocks, outputs], offsets)], `${name}.offset`);
  return g.add('Add', [`${name}.symmetric`, offset], name);
}
