import type { Pooling } from './model-directory';

/**
 * One vector per sequence from a `[batch, sequence, hidden]` output: the mean over the positions the
 * attention mask keeps (`lengths[b]` first ones), or the first position's (CLS).
 */
export function pool(hidden: Float32Array, dims: readonly number[], lengths: readonly number[], mode: Pooling): Float32Array[] {
  const [batch, sequence, width] = dims;
  if (dims.length !== 3 || batch !== lengths.length) throw new Error(`pooling expects [${lengths.length}, sequence, hidden], got [${dims.join(', ')}]`);
  return lengths.map((length, b) => {
    const vector = new Float32Array(width);
    const start = b * sequence * width;
    if (mode === 'cls') {
      vector.set(hidden.subarray(start, start + width));
      return vector;
    }
    // Summed in float64: 256 positions of float32 would lose digits the reference keeps.
    const sums = new Float64Array(width);
    for (let t = 0; t < length; t++) {
      const row = start + t * width;
      for (let k = 0; k < width; k++) sums[k] += hidden[row + k];
    }
    for (let k = 0; k < width; k++) vector[k] = sums[k] / Math.max(length, 1);
    return vector;
  });
}

/** Scales `vector` in place to unit length (a zero vector stays zero). */
export function normalize(vector: Float32Array): Float32Array {
  let squares = 0;
  for (let k = 0; k < vector.length; k++) squares += vector[k] * vector[k];
  const norm = Math.sqrt(squares);
  // sentence-transformers divides by max(norm, 1e-12).
  const scale = 1 / Math.max(norm, 1e-12);
  for (let k = 0; k < vector.length; k++) vector[k] *= scale;
  return vector;
}
