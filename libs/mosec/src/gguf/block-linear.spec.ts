/** @jest-environment ./test/support/onnx-environment.js */
import { ElementType, encodeModel, tensorValue } from '../onnx-writer';
import { onnxRuntime } from '../onnx/runtime';
import { dequantize, GgmlType } from './ggml-types';
import { GraphBuilder } from './graph-builder';
import { blockLinear } from './block-linear';
import type { StoredWeight } from './matrix';

const INPUTS = 64; // two blocks of 32
const OUTPUTS = 3;

type BlockType = GgmlType.Q4_0 | GgmlType.Q4_1;

/** Blocks with varied scales, minimums and values, stored `[out][in]` as in a GGUF file. */
function storedBlocks(type: BlockType): Buffer {
  const blockBytes = type === GgmlType.Q4_1 ? 20 : 18;
  const bytes = Buffer.alloc(OUTPUTS * (INPUTS / 32) * blockBytes);
  const halves = [0x3800, 0x3c00, 0x3400, 0x4000, 0x2e66, 0x3a00]; // 0.5, 1, 0.25, 2, 0.1, 0.75
  for (let block = 0; block < bytes.length / blockBytes; block++) {
    const at = block * blockBytes;
    bytes.writeUInt16LE(halves[block % halves.length], at);
    if (type === GgmlType.Q4_1) bytes.writeUInt16LE(0xbc00 + block, at + 2); // about -1
    const quants = at + (type === GgmlType.Q4_1 ? 4 : 2);
    for (let j = 0; j < 16; j++) bytes[quants + j] = ((j * 7 + block) & 0x0f) | (((j * 3 + 5 * block) & 0x0f) << 4);
  }
  return bytes;
}

interface Layer {
  values: Float32Array; // [in][out]
  stored: StoredWeight;
}

/** The layer as float32 `[in][out]`, with the stored rows read in `rowOrder`. */
function layerOf(type: BlockType, rowOrder?: Int32Array): Layer {
  const bytes = storedBlocks(type);
  const stored = dequantize(type, bytes, INPUTS * OUTPUTS);
  const values = new Float32Array(INPUTS * OUTPUTS);
  for (let out = 0; out < OUTPUTS; out++) {
    const row = rowOrder ? rowOrder[out] : out;
    for (let i = 0; i < INPUTS; i++) values[i * OUTPUTS + out] = stored[row * INPUTS + i];
  }
  return { values, stored: { type, bytes, inputs: INPUTS, outputs: OUTPUTS, rowOrder } };
}

async function run(layer: Layer, input: Float32Array): Promise<Float32Array> {
  const g = new GraphBuilder();
  blockLinear(g, 'x', layer.stored, 'y');
  const model = encodeModel({
    name: 'q4',
    inputs: [tensorValue('x', ElementType.FLOAT, ['batch', 'sequence', INPUTS])],
    outputs: [tensorValue('y', ElementType.FLOAT, ['batch', 'sequence', OUTPUTS])],
    nodes: g.nodes,
    initializers: g.initializers,
  });
  const ort = onnxRuntime();
  const session = await ort.InferenceSession.create(model);
  const { y } = await session.run({ x: new ort.Tensor('float32', input, [2, 1, INPUTS]) });
  return y.data as Float32Array;
}

function expected(layer: Layer, input: Float32Array): number[] {
  const out: number[] = [];
  for (let row = 0; row < input.length / INPUTS; row++) {
    for (let o = 0; o < OUTPUTS; o++) {
      let sum = 0;
      for (let i = 0; i < INPUTS; i++) sum += input[row * INPUTS + i] * layer.values[i * OUTPUTS + o];
      out.push(sum);
    }
  }
  return out;
}

describe('blockLinear (the GGUF\'s blocks in MatMulNBits)', () => {
  const input = Float32Array.from({ length: 2 * INPUTS }, (_, i) => Math.sin(i * 0.37) * 2);

  for (const type of [GgmlType.Q4_0, GgmlType.Q4_1] as const) {
    it(`computes the same product as the dequantised ${GgmlType[type]} weights, rows in the given order`, async () => {
      const layer = layerOf(type, Int32Array.from([2, 0, 1]));
      const actual = Array.from(await run(layer, input));
      expected(layer, input).forEach((value, i) => expect(actual[i]).toBeCloseTo(value, 3));
    });
  }
});
