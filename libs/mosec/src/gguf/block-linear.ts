/**
 * A linear layer that keeps a Q4_0 or Q4_1 weight as the GGUF file has it, in onnxruntime's
 * MatMulNBits (com.microsoft): per block of 32 inputs, 4-bit values and a float scale; without zero
 * points it computes (q - 8) * d, Q4_0's value exactly. Q4_1's q * d + m is (q - 8) * d + (m + 8d):
 * the second term is each block's inputs' sum times a per-block constant, one small MatMul beside.
 * Activations stay float32 (the default accuracy level): quantising them too (int8 compute) changed
 * this model's answers. Q8_0 is left to float32: MatMulNBits' 8-bit path measured several times
 * slower than a float32 Gemm for one sequence.
 */
import { ElementType } from '../onnx-writer';
import { GgmlType, halfToFloat } from './ggml-types';
import { GraphBuilder } from './graph-builder';
import type { StoredWeight } from './matrix';

const BLOCK = 32;
const BLOCK_BYTES: Partial<Record<GgmlType, number>> = { [GgmlType.Q4_0]: 18, [GgmlType.Q4_1]: 20 };

export function isBlockQuantized(stored: StoredWeight | undefined): stored is StoredWeight {
  return stored !== undefined && BLOCK_BYTES[stored.type] !== undefined;
}

export function blockLinear(g: GraphBuilder, x: string, stored: StoredWeight, name: string): string {
  const { type, bytes, inputs, outputs, rowOrder } = stored;
  const blockBytes = BLOCK_BYTES[type]!;
  const bits = 4;
  const blobBytes = BLOCK / 2;
  const blocks = inputs / BLOCK;
  const packed = new Uint8Array(outputs * blocks * blobBytes);
  const scales = new Float32Array(outputs * blocks);
  // [blocks][outputs]: what each block adds per unit of its inputs' sum (Q4_1 only).
  const offsets = type === GgmlType.Q4_1 ? new Float32Array(blocks * outputs) : undefined;
  for (let out = 0; out < outputs; out++) {
    const row = rowOrder ? rowOrder[out] : out;
    for (let block = 0; block < blocks; block++) {
      const at = (row * blocks + block) * blockBytes;
      const index = out * blocks + block;
      const d = halfToFloat(bytes.readUInt16LE(at));
      scales[index] = d;
      const blob = index * blobBytes;
      if (offsets) offsets[block * outputs + out] = halfToFloat(bytes.readUInt16LE(at + 2)) + 8 * d;
      const quants = at + (type === GgmlType.Q4_1 ? 4 : 2);
      // GGUF: byte j holds values j (low) and j + 16 (high); MatMulNBits: values 2j (low) and 2j + 1 (high).
      const value = (k: number) => (k < 16 ? bytes[quants + k] & 0x0f : bytes[quants + k - 16] >> 4);
      for (let j = 0; j < BLOCK / 2; j++) packed[blob + j] = value(2 * j) | (value(2 * j + 1) << 4);
    }
  }
  g.initializers.push({ name: `${name}.weight_blocks`, dims: [outputs, blocks, blobBytes], dataType: ElementType.UINT8, rawData: packed });
  g.floats(`${name}.weight_scales`, [outputs * blocks], scales);
  const product = offsets ? `${name}.symmetric` : name;
  g.nodes.push({
    opType: 'MatMulNBits',
    domain: 'com.microsoft',
    input: [x, `${name}.weight_blocks`, `${name}.weight_scales`],
    output: [product],
    name: `MatMulNBits_${name}`,
    attribute: Object.entries({ K: inputs, N: outputs, bits, block_size: BLOCK }).map(([key, i]) => ({ name: key, i, type: 2 })),
  });
  if (!offsets) return name;
  const blockShape = g.int64s(`${name}.block_shape`, [0, 0, blocks, BLOCK]);
  const sumAxis = g.int64s(`${name}.sum_axis`, [-1]);
  const blockSums = g.add('ReduceSum', [g.add('Reshape', [x, blockShape], `${name}.input_blocks`), sumAxis], `${name}.block_sums`, { keepdims: 0 });
  const offset = g.add('MatMul', [blockSums, g.floats(`${name}.weight_offsets`, [blocks, outputs], offsets)], `${name}.offset`);
  return g.add('Add', [product, offset], name);
}
