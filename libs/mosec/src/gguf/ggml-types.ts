/**
 * ggml's tensor types: how many bytes a tensor of each type takes, and dequantisation to float32 of
 * the types this converter supports (F32, F16, BF16, Q4_0, Q4_1, Q8_0). A block type packs
 * `BLOCK` (32) consecutive values of the innermost dimension with its own scale (and minimum).
 */
export enum GgmlType {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q4_1 = 3,
  Q5_0 = 6,
  Q5_1 = 7,
  Q8_0 = 8,
  Q8_1 = 9,
  Q2_K = 10,
  Q3_K = 11,
  Q4_K = 12,
  Q5_K = 13,
  Q6_K = 14,
  Q8_K = 15,
  BF16 = 30,
}

const BLOCK = 32;

interface Layout {
  /** Values per block (1 for plain floats). */
  values: number;
  /** Bytes per block. */
  bytes: number;
}

const LAYOUTS: Partial<Record<GgmlType, Layout>> = {
  [GgmlType.F32]: { values: 1, bytes: 4 },
  [GgmlType.F16]: { values: 1, bytes: 2 },
  [GgmlType.BF16]: { values: 1, bytes: 2 },
  [GgmlType.Q4_0]: { values: BLOCK, bytes: 2 + BLOCK / 2 },
  [GgmlType.Q4_1]: { values: BLOCK, bytes: 2 + 2 + BLOCK / 2 },
  [GgmlType.Q8_0]: { values: BLOCK, bytes: 2 + BLOCK },
};

export const SUPPORTED_TYPES = Object.keys(LAYOUTS).map((type) => GgmlType[Number(type)]);

export function typeName(type: GgmlType): string {
  return GgmlType[type] ?? `type ${type}`;
}

function layoutOf(type: GgmlType, tensor: string): Layout {
  const layout = LAYOUTS[type];
  if (!layout) {
    throw new Error(`tensor ${tensor} is ${typeName(type)}, which is not supported (supported: ${SUPPORTED_TYPES.join(', ')})`);
  }
  return layout;
}

export function tensorByteLength(type: GgmlType, dims: number[], tensor: string): number {
  const layout = layoutOf(type, tensor);
  const count = dims.reduce((product, dim) => product * dim, 1);
  if ((dims[0] ?? 1) % layout.values !== 0) {
    throw new Error(`tensor ${tensor}: its rows of ${dims[0]} do not split into blocks of ${layout.values}`);
  }
  return (count / layout.values) * layout.bytes;
}

/** IEEE 754 half precision to a number. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** All values of a tensor in ggml order (innermost dimension contiguous), as float32. */
export function dequantize(type: GgmlType, bytes: Buffer, count: number, tensor = 'tensor'): Float32Array {
  const layout = layoutOf(type, tensor);
  if (bytes.length !== (count / layout.values) * layout.bytes) {
    throw new Error(`tensor ${tensor}: ${bytes.length} bytes do not hold ${count} ${typeName(type)} values`);
  }
  const out = new Float32Array(count);
  switch (type) {
    case GgmlType.F32:
      for (let i = 0; i < count; i++) out[i] = bytes.readFloatLE(i * 4);
      break;
    case GgmlType.F16:
      for (let i = 0; i < count; i++) out[i] = halfToFloat(bytes.readUInt16LE(i * 2));
      break;
    case GgmlType.BF16: {
      const word = new Uint32Array(1);
      const asFloat = new Float32Array(word.buffer);
      for (let i = 0; i < count; i++) {
        word[0] = bytes.readUInt16LE(i * 2) << 16;
        out[i] = asFloat[0];
      }
      break;
    }
    case GgmlType.Q4_0:
    case GgmlType.Q4_1:
      dequantizeQ4(type === GgmlType.Q4_1, bytes, out);
      break;
    case GgmlType.Q8_0:
      for (let block = 0, at = 0; block < count / BLOCK; block++, at += layout.bytes) {
        const scale = halfToFloat(bytes.readUInt16LE(at));
        for (let j = 0; j < BLOCK; j++) out[block * BLOCK + j] = scale * bytes.readInt8(at + 2 + j);
      }
      break;
  }
  return out;
}

/**
 * Q4_0 block: f16 scale `d`, 16 bytes of nibbles; value = (q - 8) * d.
 * Q4_1 block: f16 scale `d`, f16 minimum `m`, 16 bytes of nibbles; value = q * d + m.
 * The low nibble of byte j is value j, the high nibble value j + 16.
 */
function dequantizeQ4(withMinimum: boolean, bytes: Buffer, out: Float32Array): void {
  const blockBytes = withMinimum ? 20 : 18;
  const nibbles = withMinimum ? 4 : 2;
  const zero = withMinimum ? 0 : 8;
  for (let block = 0, at = 0; at < bytes.length; block++, at += blockBytes) {
    const scale = halfToFloat(bytes.readUInt16LE(at));
    const minimum = withMinimum ? halfToFloat(bytes.readUInt16LE(at + 2)) : 0;
    const base = block * BLOCK;
    for (let j = 0; j < BLOCK / 2; j++) {
      const byte = bytes[at + nibbles + j];
      out[base + j] = ((byte & 0x0f) - zero) * scale + minimum;
      out[base + j + BLOCK / 2] = ((byte >> 4) - zero) * scale + minimum;
    }
  }
}
