import { endianness } from 'node:os';

const LITTLE_ENDIAN = endianness() === 'LE';

/** A vector as OpenAI's `encoding_format: "base64"` sends it: its float32 values, little-endian, in base64. */
export function vectorToBase64(vector: ArrayLike<number>): string {
  const bytes = Buffer.alloc(vector.length * 4);
  if (LITTLE_ENDIAN) {
    new Float32Array(bytes.buffer, bytes.byteOffset, vector.length).set(vector);
  } else {
    for (let i = 0; i < vector.length; i++) bytes.writeFloatLE(vector[i], i * 4);
  }
  return bytes.toString('base64');
}

/** The float32 values of a base64 vector (what OpenAI's clients do with it). */
export function vectorFromBase64(text: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % 4 !== 0) throw new Error(`a base64 vector has a multiple of 4 bytes, not ${bytes.length}`);
  const vector = new Float32Array(bytes.length / 4);
  for (let i = 0; i < vector.length; i++) vector[i] = bytes.readFloatLE(i * 4);
  return vector;
}
