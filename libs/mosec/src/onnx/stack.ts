import { allocate, copyValues, elementCount, ItemTensor, NumericType, TensorData } from './item-tensor';

export interface StackedTensor {
  data: TensorData;
  /** `[items, ...item dims]`, the padded axis at the batch's longest. */
  dims: number[];
  /** Each item's length along the padded axis (empty when nothing is padded). */
  lengths: number[];
}

/**
 * Stacks per-request tensors into one tensor along a new leading batch axis. Without `padAxis` every
 * item must have the same dims. With it, items may differ along that axis only (an index into the
 * item's dims): each is padded with `padValue` up to the batch's longest.
 */
export function stackItems(
  items: ReadonlyArray<ItemTensor<TensorData | readonly number[]>>,
  type: NumericType,
  padAxis?: number,
  padValue = 0,
): StackedTensor {
  if (items.length === 0) throw new Error('cannot stack an empty batch');
  const itemDims = [...items[0].dims];
  const lengths = padAxis === undefined ? [] : items.map((item) => item.dims[padAxis]);
  if (padAxis !== undefined) itemDims[padAxis] = Math.max(...lengths);
  for (const item of items) {
    const mismatch = mismatchedAxis(item.dims, itemDims, padAxis);
    if (mismatch !== undefined) {
      throw new Error(`item dims [${item.dims.join(', ')}] do not stack with [${itemDims.join(', ')}] (axis ${mismatch})`);
    }
  }
  const itemSize = elementCount(itemDims);
  const data = allocate(type, items.length * itemSize);
  if (padAxis === undefined) {
    items.forEach((item, i) => copyValues(data, i * itemSize, item.data, 0, itemSize));
  } else {
    if (padValue !== 0) fillWith(data, padValue);
    // An item is `outer` blocks of `length x inner` values; each block lands at the start of its padded block.
    const outer = elementCount(itemDims.slice(0, padAxis));
    const inner = elementCount(itemDims.slice(padAxis + 1));
    const paddedBlock = itemDims[padAxis] * inner;
    items.forEach((item, i) => {
      const block = lengths[i] * inner;
      for (let o = 0; o < outer; o++) copyValues(data, i * itemSize + o * paddedBlock, item.data, o * block, block);
    });
  }
  return { data, dims: [items.length, ...itemDims], lengths };
}

/**
 * The first axis where `dims` differs from `expected` (`-1` for a different rank), ignoring `freeAxis`
 * and any expected size of -1 (unknown); undefined when they agree.
 */
export function mismatchedAxis(dims: readonly number[], expected: readonly number[], freeAxis?: number): number | undefined {
  if (dims.length !== expected.length) return -1;
  for (let axis = 0; axis < dims.length; axis++) {
    if (axis !== freeAxis && expected[axis] !== -1 && dims[axis] !== expected[axis]) return axis;
  }
  return undefined;
}

/** `[items, longest]`: 1 where an item has a value, 0 where it was padded. */
export function paddingMask(lengths: readonly number[], type: NumericType): { data: TensorData; dims: number[] } {
  const longest = Math.max(0, ...lengths);
  const data = allocate(type, lengths.length * longest);
  lengths.forEach((length, i) => fillWith(data, 1, i * longest, i * longest + length));
  return { data, dims: [lengths.length, longest] };
}

function fillWith(data: TensorData, value: number, start?: number, end?: number): void {
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) data.fill(BigInt(value), start, end);
  else data.fill(value, start, end);
}
