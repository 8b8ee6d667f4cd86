import type { GgmlType } from './ggml-types';

// The weights as the converter carries them, between the GGUF reader and the graph builders.

/** A weight as stored in the GGUF: `outputs` rows of `inputs` values in blocks; row `rowOrder[o]` is output o. */
export interface StoredWeight {
  type: GgmlType;
  bytes: Buffer;
  inputs: number;
  outputs: number;
  rowOrder?: Int32Array;
}

/** A weight matrix, dequantized, with its stored form when a layer keeps its blocks. */
export interface Matrix {
  rows: number;
  columns: number;
  values: Float32Array;
  /** The tensor as the GGUF stores it, for layers that keep its blocks. */
  stored?: StoredWeight;
}
