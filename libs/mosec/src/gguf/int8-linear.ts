/**
 * A linear layer with int8 weights, in the pattern onnxruntime fuses into one dynamically quantised
 * matrix product: the activations are quantised per call (DynamicQuantizeLinear, uint8), the weights
 * once here, symmetric per output column (int8, zero point 0); MatMulInteger, then the int32 result
 * times both scales.
 */
import { ElementType } from '../onnx-writer';
import { GraphBuilder } from './graph-builder';
import type { Matrix } from './matrix';

/** Per-column symmetric int8: `values[i][o] ~ quantized[i][o] * scales[o]`. */
export function quantizeColumns(matrix: Matrix): { quantized: Int8Array; scales: Float32Array } {
  const { rows, columns, values } = matrix;
  const scales = new Float32Array(columns);
  for (let i = 0; i < rows; i++) {
    for (let o = 0; o < columns; o++) scales[o] = Math.max(scales[o], Math.abs(values[i * columns + o]));
  }
  for (let o = 0; o < columns; o++) scales[o] = scales[o] / 127 || 1;
  const quantized = new Int8Array(rows * columns);
  for (let i = 0; i < rows; i++) {
    for (let o = 0; o < columns; o++) quantized[i * columns + o] = Math.round(values[i * columns + o] / scales[o]);
  }
  return { quantized, scales };
}

/** `[rows][columns]` to `[columns][rows]`. */
export function transposed(matrix: Matrix): Matrix {
  const { rows, columns, values } = matrix;
  const out = new Float32Array(rows * columns);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) out[c * rows + r] = values[r * columns + c];
  return { rows: columns, columns: rows, values: out };
}

export function int8Linear(g: GraphBuilder, x: string, matrix: Matrix, name: string): string {
  const { quantized, scales } = quantizeColumns(matrix);
  g.initializers.push({
    name: `${name}.weight_quantized`,
    dims: [matrix.rows, matrix.columns],
    dataType: ElementType.INT8,
    rawData: new Uint8Array(quantized.buffer),
  });
  g.initializers.push({
    name: `${name}.weight_zero_point`,
    dims: [matrix.columns],
    dataType: ElementType.INT8,
    rawData: new Uint8Array(matrix.columns),
  });
  const weightScale = g.floats(`${name}.weight_scale`, [matrix.columns], scales);
  g.nodes.push({
    opType: 'DynamicQuantizeLinear',
    input: [x],
    output: [`${name}.input_quantized`, `${name}.input_scale`, `${name}.input_zero_point`],
    name: `DynamicQuantizeLinear_${name}`,
  });
  const product = g.add(
    'MatMulInteger',
    [`${name}.input_quantized`, `${name}.weight_quantized`, `${name}.input_zero_point`, `${name}.weight_zero_point`],
    `${name}.product_int32`,
  );
  const scale = g.add('Mul', [`${name}.input_scale`, weightScale], `${name}.scale`);
  return g.add('Mul', [g.add('Cast', [product], `${name}.product_float`, { to: ElementType.FLOAT }), scale], name);
}
