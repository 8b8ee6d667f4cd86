import { dequantize, GgmlType, halfToFloat, tensorByteLength } from './ggml-types';

const half = (bits: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(bits);
  return b;
};
const HALF_ONE_HALF = 0x3800; // 0.5
const HALF_MINUS_ONE = 0xbc00; // -1
const HALF_TWO = 0x4000; // 2
const HALF_QUARTER = 0x3400; // 0.25

/** 16 bytes holding the nibbles 0..15 low and 15..0 high: values j = j and j + 16 = 15 - j. */
const nibbles = Buffer.from(Array.from({ length: 16 }, (_, j) => j | ((15 - j) << 4)));
const expectedNibbles = [...Array.from({ length: 16 }, (_, j) => j), ...Array.from({ length: 16 }, (_, j) => 15 - j)];

describe('halfToFloat', () => {
  it('decodes normal, subnormal and special half-precision values', () => {
    expect([0x3c00, 0xc000, 0x7bff, 0x0001, 0x0000, 0x8000].map(halfToFloat)).toEqual([1, -2, 65504, 2 ** -24, 0, -0]);
    expect(halfToFloat(0x7c00)).toBe(Infinity);
    expect(halfToFloat(0x7e00)).toBeNaN();
  });
});

describe('dequantize', () => {
  it('Q4_1: nibble * scale + minimum, low nibbles first', () => {
    const block = Buffer.concat([half(HALF_ONE_HALF), half(HALF_MINUS_ONE), nibbles]);
    expect(Array.from(dequantize(GgmlType.Q4_1, block, 32))).toEqual(expectedNibbles.map((q) => q * 0.5 - 1));
  });

  it('Q4_0: (nibble - 8) * scale', () => {
    const block = Buffer.concat([half(HALF_TWO), nibbles]);
    expect(Array.from(dequantize(GgmlType.Q4_0, block, 32))).toEqual(expectedNibbles.map((q) => (q - 8) * 2));
  });

  it('Q8_0: signed byte * scale, block after block', () => {
    const quants = Buffer.from(Int8Array.from({ length: 32 }, (_, j) => j * 8 - 128).buffer);
    const blocks = Buffer.concat([half(HALF_QUARTER), quants, half(HALF_TWO), quants]);
    const values = Array.from(dequantize(GgmlType.Q8_0, blocks, 64));
    expect(values.slice(0, 32)).toEqual(Array.from({ length: 32 }, (_, j) => (j * 8 - 128) * 0.25));
    expect(values.slice(32)).toEqual(Array.from({ length: 32 }, (_, j) => (j * 8 - 128) * 2));
  });

  it('F32, F16 and BF16 as they are', () => {
    const f32 = Buffer.alloc(8);
    f32.writeFloatLE(1.5, 0);
    f32.writeFloatLE(-3, 4);
    expect(Array.from(dequantize(GgmlType.F32, f32, 2))).toEqual([1.5, -3]);
    expect(Array.from(dequantize(GgmlType.F16, Buffer.concat([half(0x3c00), half(0xc000)]), 2))).toEqual([1, -2]);
    expect(Array.from(dequantize(GgmlType.BF16, Buffer.concat([half(0x3f80), half(0xc040)]), 2))).toEqual([1, -3]);
  });

  it('sizes tensors by blocks and names what it cannot read', () => {
    expect(tensorByteLength(GgmlType.Q4_1, [576, 192], 'w')).toBe((576 * 192 * 20) / 32);
    expect(tensorByteLength(GgmlType.Q8_0, [64], 'w')).toBe(68);
    expect(() => tensorByteLength(GgmlType.Q4_K, [256], 'blk.0.ffn_up.weight')).toThrow(
      'tensor blk.0.ffn_up.weight is Q4_K, which is not supported (supported: F32, F16, Q4_0, Q4_1, Q8_0, BF16)',
    );
    expect(() => tensorByteLength(GgmlType.Q4_0, [40], 'w')).toThrow('do not split into blocks of 32');
    expect(() => dequantize(GgmlType.Q4_1, Buffer.alloc(19), 32, 'w')).toThrow('19 bytes do not hold 32 Q4_1 values');
  });
});
