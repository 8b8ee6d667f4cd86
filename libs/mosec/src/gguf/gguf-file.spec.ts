import { parseGguf, tensorBytes } from './gguf-file';
import { GgmlType } from './ggml-types';

/** Little-endian byte writer for hand-made GGUF files. */
class Bytes {
  private readonly parts: Buffer[] = [];
  get length() {
    return this.parts.reduce((sum, part) => sum + part.length, 0);
  }
  u32(value: number) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(value);
    return this.raw(b);
  }
  u64(value: number | bigint) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(value));
    return this.raw(b);
  }
  string(value: string) {
    const text = Buffer.from(value, 'utf8');
    return this.u64(text.length).raw(text);
  }
  raw(buffer: Buffer) {
    this.parts.push(buffer);
    return this;
  }
  build() {
    return Buffer.concat(this.parts);
  }
}

const typed = (type: number, write: (b: Buffer) => void, size: number) => {
  const b = Buffer.alloc(size);
  write(b);
  return { type, bytes: b };
};

/** A GGUF v3 file with the given metadata (already encoded values) and F32 tensors. */
function ggufFile(
  metadata: [string, { type: number; bytes: Buffer }][],
  tensors: { name: string; dims: number[]; values: number[] }[],
  alignment = 32,
): Buffer {
  const header = new Bytes().u32(0x46554747).u32(3).u64(tensors.length).u64(metadata.length);
  for (const [key, value] of metadata) header.string(key).u32(value.type).raw(value.bytes);
  let offset = 0;
  const data: Buffer[] = [];
  for (const tensor of tensors) {
    header.string(tensor.name).u32(tensor.dims.length);
    tensor.dims.forEach((dim) => header.u64(dim));
    header.u32(GgmlType.F32).u64(offset);
    const bytes = Buffer.alloc(Math.ceil((tensor.values.length * 4) / alignment) * alignment);
    tensor.values.forEach((value, i) => bytes.writeFloatLE(value, i * 4));
    data.push(bytes);
    offset += bytes.length;
  }
  const padding = Buffer.alloc((alignment - (header.length % alignment)) % alignment);
  return Buffer.concat([header.build(), padding, ...data]);
}

const stringValue = (value: string) => ({ type: 8, bytes: new Bytes().string(value).build() });

describe('parseGguf', () => {
  it('reads every metadata value type', () => {
    const stringArray = new Bytes().u32(8).u64(2).string('a b').string('Ġt').build();
    const file = parseGguf(
      ggufFile(
        [
          ['u8', typed(0, (b) => b.writeUInt8(200), 1)],
          ['i8', typed(1, (b) => b.writeInt8(-5), 1)],
          ['u16', typed(2, (b) => b.writeUInt16LE(65535), 2)],
          ['i16', typed(3, (b) => b.writeInt16LE(-300), 2)],
          ['u32', typed(4, (b) => b.writeUInt32LE(4_000_000_000), 4)],
          ['i32', typed(5, (b) => b.writeInt32LE(-70_000), 4)],
          ['f32', typed(6, (b) => b.writeFloatLE(0.5), 4)],
          ['bool', typed(7, (b) => b.writeUInt8(1), 1)],
          ['string', stringValue('llama')],
          ['strings', { type: 9, bytes: stringArray }],
          ['u64', typed(10, (b) => b.writeBigUInt64LE(2n ** 60n), 8)],
          ['i64', typed(11, (b) => b.writeBigInt64LE(-42n), 8)],
          ['f64', typed(12, (b) => b.writeDoubleLE(1e-300), 8)],
        ],
        [],
      ),
    );
    expect(file.version).toBe(3);
    expect(Object.fromEntries(file.metadata)).toEqual({
      u8: 200,
      i8: -5,
      u16: 65535,
      i16: -300,
      u32: 4_000_000_000,
      i32: -70_000,
      f32: 0.5,
      bool: true,
      string: 'llama',
      strings: ['a b', 'Ġt'],
      u64: 2n ** 60n,
      i64: -42,
      f64: 1e-300,
    });
  });

  it('places tensors after the aligned header, honouring general.alignment', () => {
    const alignment = typed(4, (b) => b.writeUInt32LE(64), 4);
    const buffer = ggufFile(
      [['general.alignment', alignment]],
      [
        { name: 'a', dims: [3], values: [1, 2, 3] },
        { name: 'b', dims: [2, 2], values: [-1, -2, -3, -4] },
      ],
      64,
    );
    const file = parseGguf(buffer);
    const a = file.tensors.get('a')!;
    const b = file.tensors.get('b')!;
    expect(a.offset % 64).toBe(0);
    expect(b.offset - a.offset).toBe(64);
    expect({ dims: b.dims, type: b.type, byteLength: b.byteLength }).toEqual({ dims: [2, 2], type: GgmlType.F32, byteLength: 16 });
    const bytes = tensorBytes(file, b);
    expect([0, 1, 2, 3].map((i) => bytes.readFloatLE(i * 4))).toEqual([-1, -2, -3, -4]);
  });

  it('refuses what is not a well-formed GGUF, saying why', () => {
    expect(() => parseGguf(Buffer.from('PK\x03\x04 not gguf'))).toThrow('not a GGUF file');
    const v1 = ggufFile([], []);
    v1.writeUInt32LE(1, 4);
    expect(() => parseGguf(v1)).toThrow('GGUF version 1 is not supported');
    const whole = ggufFile([['name', stringValue('model')]], [{ name: 'w', dims: [4], values: [1, 2, 3, 4] }]);
    expect(() => parseGguf(whole.subarray(0, 30))).toThrow('GGUF file is truncated');
    expect(() => parseGguf(whole.subarray(0, whole.length - 32))).toThrow('GGUF tensor w ends at');
    expect(() => parseGguf(ggufFile([['odd', { type: 13, bytes: Buffer.alloc(0) }]], []))).toThrow('unknown value type 13');
  });
});
