import { elementCount, ItemTensor, TensorData } from './item-tensor';

/**
 * Splits a batched tensor `[items, ...rest]` back into one tensor per item. The items are views on the
 * batch's buffer (no copy); msgpack and JSON encoding read views correctly.
 */
export function splitBatch(data: TensorData, dims: readonly number[], count: number): ItemTensor[] {
  if (dims[0] !== count) throw new Error(`expected an output batch of ${count}, got dims [${dims.join(', ')}]`);
  const itemDims = dims.slice(1);
  const itemSize = elementCount(itemDims);
  const items: ItemTensor[] = [];
  for (let i = 0; i < count; i++) items.push({ data: data.subarray(i * itemSize, (i + 1) * itemSize), dims: itemDims });
  return items;
}

/** The item cut to its first `length` entries along `axis` (a copy unless nothing is cut). */
export function trimAxis(item: ItemTensor, axis: number, length: number): ItemTensor {
  const { data, dims } = item;
  if (axis < 0 || axis >= dims.length) throw new Error(`axis ${axis} is out of range for dims [${dims.join(', ')}]`);
  if (length >= dims[axis]) return item;
  const outer = elementCount(dims.slice(0, axis));
  const inner = elementCount(dims.slice(axis + 1));
  const Type = data.constructor as new (length: number) => TensorData;
  const trimmed = new Type(outer * length * inner);
  for (let o = 0; o < outer; o++) {
    const source = data.subarray(o * dims[axis] * inner, (o * dims[axis] + length) * inner);
    (trimmed as Float64Array).set(source as Float64Array, o * length * inner);
  }
  const trimmedDims = [...dims];
  trimmedDims[axis] = length;
  return { data: trimmed, dims: trimmedDims };
}
