/** The typed arrays onnxruntime takes as tensor data. */
export type TensorData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** The numeric tensor element types the batching helper stacks. */
export type NumericType = 'float32' | 'float64' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'bool';

/** One request's tensor, without the batch axis. */
export interface ItemTensor<Data = TensorData> {
  data: Data;
  dims: readonly number[];
}

/** One request's input: a tensor, or a flat array taken as a vector (`dims` = its length). */
export type ItemInput = ItemTensor<TensorData | readonly number[]> | TensorData | readonly number[];

const CONSTRUCTORS = {
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  bool: Uint8Array,
} as const;

export function isNumericType(type: string): type is NumericType {
  return Object.prototype.hasOwnProperty.call(CONSTRUCTORS, type);
}

export function allocate(type: NumericType, length: number): TensorData {
  return new CONSTRUCTORS[type](length);
}

/** The item as `{ data, dims }`; throws when it is not an array or its dims do not match its length. */
export function toItemTensor(input: ItemInput): ItemTensor<TensorData | readonly number[]> {
  const tensor = Array.isArray(input) || ArrayBuffer.isView(input)
    ? { data: input as TensorData | readonly number[], dims: [(input as ArrayLike<unknown>).length] }
    : (input as ItemTensor<TensorData | readonly number[]>);
  const { data, dims } = tensor ?? {};
  if (!(Array.isArray(data) || ArrayBuffer.isView(data)) || !Array.isArray(dims)) {
    throw new TypeError('expected a typed array, a number array or { data, dims }');
  }
  if (!dims.every((d) => Number.isInteger(d) && d >= 0) || elementCount(dims) !== data.length) {
    throw new TypeError(`dims [${dims.join(', ')}] do not fit ${data.length} values`);
  }
  if (Array.isArray(data) && !data.every((value) => typeof value === 'number')) {
    throw new TypeError('expected numbers only');
  }
  return tensor;
}

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((product, d) => product * d, 1);
}

/**
 * Copies `count` values from `source` into `target`, converting between bigint and number element
 * types when they differ (a plain copy otherwise).
 */
export function copyValues(
  target: TensorData,
  targetOffset: number,
  source: TensorData | readonly number[],
  sourceOffset: number,
  count: number,
): void {
  const bigTarget = target instanceof BigInt64Array || target instanceof BigUint64Array;
  const bigSource = source instanceof BigInt64Array || source instanceof BigUint64Array;
  if (ArrayBuffer.isView(source) && bigTarget === bigSource) {
    (target as Float64Array).set((source as Float64Array).subarray(sourceOffset, sourceOffset + count), targetOffset);
    return;
  }
  for (let k = 0; k < count; k++) {
    const value = source[sourceOffset + k] as number | bigint;
    (target as unknown as Array<number | bigint>)[targetOffset + k] = bigTarget
      ? BigInt(Math.trunc(Number(value)))
      : Number(value);
  }
}
