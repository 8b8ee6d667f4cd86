import { mismatchedAxis, paddingMask, stackItems } from './stack';
import { TensorData } from './item-tensor';

/** A tensor's values as a plain array, for comparing. */
const values = (data: TensorData): Array<number | bigint> => Array.from(data as ArrayLike<number | bigint>);

describe('stackItems', () => {
  it('stacks same-shaped items along a new batch axis', () => {
    const items = [
      { data: Float32Array.of(1, 2, 3, 4), dims: [2, 2] },
      { data: Float32Array.of(5, 6, 7, 8), dims: [2, 2] },
    ];
    const stacked = stackItems(items, 'float32');
    expect(stacked.dims).toEqual([2, 2, 2]);
    expect(values(stacked.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(stacked.data).toBeInstanceOf(Float32Array);
    expect(stacked.lengths).toEqual([]);
  });

  it('converts number arrays to the element type, bigint included', () => {
    const stacked = stackItems([{ data: [1, 2], dims: [2] }, { data: Int32Array.of(3, 4), dims: [2] }], 'int64');
    expect(stacked.data).toBeInstanceOf(BigInt64Array);
    expect(values(stacked.data)).toEqual([1n, 2n, 3n, 4n]);
  });

  it('pads the first axis to the longest item with the pad value', () => {
    const items = [
      { data: [1, 2, 3, 4], dims: [2, 2] },
      { data: [5, 6], dims: [1, 2] },
      { data: [7, 8, 9, 10, 11, 12], dims: [3, 2] },
    ];
    const stacked = stackItems(items, 'float32', 0, -1);
    expect(stacked.dims).toEqual([3, 3, 2]);
    expect(stacked.lengths).toEqual([2, 1, 3]);
    expect(values(stacked.data)).toEqual([1, 2, 3, 4, -1, -1, 5, 6, -1, -1, -1, -1, 7, 8, 9, 10, 11, 12]);
  });

  it('pads an inner axis block by block', () => {
    // Two rows each: item 0 has 1 column, item 1 has 2 columns.
    const items = [
      { data: [1, 2], dims: [2, 1] },
      { data: [3, 4, 5, 6], dims: [2, 2] },
    ];
    const stacked = stackItems(items, 'int32', 1);
    expect(stacked.dims).toEqual([2, 2, 2]);
    expect(values(stacked.data)).toEqual([1, 0, 2, 0, 3, 4, 5, 6]);
  });

  it('refuses items that differ outside the padded axis', () => {
    expect(() => stackItems([{ data: [1, 2], dims: [2] }, { data: [1, 2, 3], dims: [3] }], 'float32')).toThrow(/do not stack/);
    expect(() => stackItems([{ data: [1, 2], dims: [1, 2] }, { data: [1, 2, 3], dims: [1, 3] }], 'float32', 0)).toThrow(/axis 1/);
    expect(() => stackItems([], 'float32')).toThrow(/empty/);
  });
});

describe('mismatchedAxis', () => {
  it('names the first differing axis, ignoring the free axis and open sizes', () => {
    expect(mismatchedAxis([2, 3], [2, 3])).toBeUndefined();
    expect(mismatchedAxis([2, 4], [2, 3])).toBe(1);
    expect(mismatchedAxis([5, 3], [2, 3], 0)).toBeUndefined();
    expect(mismatchedAxis([5, 3], [-1, 3])).toBeUndefined();
    expect(mismatchedAxis([2], [2, 3])).toBe(-1);
  });
});

describe('paddingMask', () => {
  it('marks values with 1 and padding with 0, in the type asked for', () => {
    const mask = paddingMask([2, 0, 3], 'int64');
    expect(mask.dims).toEqual([3, 3]);
    expect(values(mask.data)).toEqual([1n, 1n, 0n, 0n, 0n, 0n, 1n, 1n, 1n]);
    expect(values(paddingMask([1, 2], 'float32').data)).toEqual([1, 0, 1, 1]);
  });
});
