/**
 * Reads a GGUF file (llama.cpp's model format, versions 2 and 3): the header, the metadata key/value
 * table and the tensor infos. Tensor bytes stay in the buffer they came from; `tensorBytes` slices
 * them out without a copy.
 *
 * Layout: magic `GGUF`, version u32, tensor count u64, metadata count u64, the metadata, the tensor
 * infos (name, dimensions innermost first, ggml type, offset), then padding to `general.alignment`
 * (32 when absent) and the data section; each offset is relative to the data section's start.
 */
import { GgmlType, tensorByteLength } from './ggml-types';

export type GgufValue = number | bigint | boolean | string | GgufValue[];

export interface GgufTensorInfo {
  name: string;
  /** ggml order: `dims[0]` is the innermost (contiguous) dimension. */
  dims: number[];
  type: GgmlType;
  /** Absolute offset of the first byte in the file. */
  offset: number;
  byteLength: number;
}

export interface GgufFile {
  version: number;
  metadata: Map<string, GgufValue>;
  tensors: Map<string, GgufTensorInfo>;
  buffer: Buffer;
}

const MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
const DEFAULT_ALIGNMENT = 32;

enum ValueType {
  UINT8 = 0,
  INT8 = 1,
  UINT16 = 2,
  INT16 = 3,
  UINT32 = 4,
  INT32 = 5,
  FLOAT32 = 6,
  BOOL = 7,
  STRING = 8,
  ARRAY = 9,
  UINT64 = 10,
  INT64 = 11,
  FLOAT64 = 12,
}

/** A cursor over the buffer that fails with the offset when the file ends early. */
class Cursor {
  offset = 0;
  constructor(private readonly buffer: Buffer) {}

  private take(length: number): number {
    if (this.offset + length > this.buffer.length) {
      throw new Error(`GGUF file is truncated: needed ${length} bytes at offset ${this.offset} of ${this.buffer.length}`);
    }
    const at = this.offset;
    this.offset += length;
    return at;
  }

  u8 = () => this.buffer.readUInt8(this.take(1));
  i8 = () => this.buffer.readInt8(this.take(1));
  u16 = () => this.buffer.readUInt16LE(this.take(2));
  i16 = () => this.buffer.readInt16LE(this.take(2));
  u32 = () => this.buffer.readUInt32LE(this.take(4));
  i32 = () => this.buffer.readInt32LE(this.take(4));
  f32 = () => this.buffer.readFloatLE(this.take(4));
  f64 = () => this.buffer.readDoubleLE(this.take(8));
  i64 = () => this.buffer.readBigInt64LE(this.take(8));

  /** A u64 that must fit a JavaScript number (counts, sizes, offsets). */
  count(what: string): number {
    const value = this.buffer.readBigUInt64LE(this.take(8));
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`GGUF ${what} ${value} is out of range`);
    return Number(value);
  }

  u64(): number | bigint {
    const value = this.buffer.readBigUInt64LE(this.take(8));
    return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  }

  string(): string {
    const length = this.count('string length');
    const at = this.take(length);
    return this.buffer.toString('utf8', at, at + length);
  }
}

function readValue(cursor: Cursor, type: number, key: string): GgufValue {
  switch (type) {
    case ValueType.UINT8: return cursor.u8();
    case ValueType.INT8: return cursor.i8();
    case ValueType.UINT16: return cursor.u16();
    case ValueType.INT16: return cursor.i16();
    case ValueType.UINT32: return cursor.u32();
    case ValueType.INT32: return cursor.i32();
    case ValueType.FLOAT32: return cursor.f32();
    case ValueType.BOOL: return cursor.u8() !== 0;
    case ValueType.STRING: return cursor.string();
    case ValueType.UINT64: return cursor.u64();
    case ValueType.INT64: {
      const value = cursor.i64();
      return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
    }
    case ValueType.FLOAT64: return cursor.f64();
    case ValueType.ARRAY: {
      const itemType = cursor.u32();
      const length = cursor.count(`array length of ${key}`);
      const items: GgufValue[] = new Array(length);
      for (let i = 0; i < length; i++) items[i] = readValue(cursor, itemType, key);
      return items;
    }
    default:
      throw new Error(`GGUF metadata ${key} has unknown value type ${type}`);
  }
}

export function parseGguf(buffer: Buffer): GgufFile {
  const cursor = new Cursor(buffer);
  if (buffer.length < 4 || cursor.u32() !== MAGIC) throw new Error('not a GGUF file (the magic bytes are not "GGUF")');
  const version = cursor.u32();
  if (version !== 2 && version !== 3) throw new Error(`GGUF version ${version} is not supported (2 and 3 are)`);
  const tensorCount = cursor.count('tensor count');
  const metadataCount = cursor.count('metadata count');

  const metadata = new Map<string, GgufValue>();
  for (let i = 0; i < metadataCount; i++) {
    const key = cursor.string();
    metadata.set(key, readValue(cursor, cursor.u32(), key));
  }

  const infos: Omit<GgufTensorInfo, 'offset' | 'byteLength'>[] = [];
  const relativeOffsets: number[] = [];
  for (let i = 0; i < tensorCount; i++) {
    const name = cursor.string();
    const rank = cursor.u32();
    if (rank > 4) throw new Error(`GGUF tensor ${name} has ${rank} dimensions (at most 4)`);
    const dims = Array.from({ length: rank }, () => cursor.count(`dimension of ${name}`));
    const type = cursor.u32() as GgmlType;
    relativeOffsets.push(cursor.count(`offset of ${name}`));
    infos.push({ name, dims, type });
  }

  const alignment = metadata.get('general.alignment') ?? DEFAULT_ALIGNMENT;
  if (typeof alignment !== 'number' || alignment <= 0 || alignment % 8 !== 0) {
    throw new Error(`GGUF general.alignment must be a positive multiple of 8, not ${String(alignment)}`);
  }
  const dataStart = Math.ceil(cursor.offset / alignment) * alignment;

  const tensors = new Map<string, GgufTensorInfo>();
  infos.forEach((info, i) => {
    const offset = dataStart + relativeOffsets[i];
    const byteLength = tensorByteLength(info.type, info.dims, info.name);
    if (offset + byteLength > buffer.length) {
      throw new Error(`GGUF tensor ${info.name} ends at ${offset + byteLength}, past the file's ${buffer.length} bytes`);
    }
    tensors.set(info.name, { ...info, offset, byteLength });
  });
  return { version, metadata, tensors, buffer };
}

/** The tensor's bytes, sharing the file's memory. */
export function tensorBytes(file: GgufFile, info: GgufTensorInfo): Buffer {
  return file.buffer.subarray(info.offset, info.offset + info.byteLength);
}

/** A metadata value that must be present, with the type the caller expects. */
export function requireMetadata<T extends GgufValue>(file: GgufFile, key: string, check: (value: GgufValue) => value is T): T {
  const value = file.metadata.get(key);
  if (value === undefined) throw new Error(`GGUF metadata ${key} is missing`);
  if (!check(value)) throw new Error(`GGUF metadata ${key} has an unexpected type (${typeof value})`);
  return value;
}

export const isNumber = (value: GgufValue): value is number => typeof value === 'number';
export const isString = (value: GgufValue): value is string => typeof value === 'string';
export const isStringArray = (value: GgufValue): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');
export const isNumberArray = (value: GgufValue): value is number[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'number');
