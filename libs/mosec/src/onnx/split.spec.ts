import { splitBatch, trimAxis } from './split';
import { TensorData } from './item-tensor';

/** A tensor's values as a plain array, for comparing. */
const values = (data: TensorData): Array<number | bigint> => Array.from(data as ArrayLike<number | bigint>);

describe('splitBatch', () => {
  it('gives each item a view of its rows', () => {
    const data = Float32Array.from({ length: 12 }, (_, i) => i);
    const items = splitBatch(data, [3, 2, 2], 3);
    expect(items.map((item) => values(item.data))).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9, 10, 11],
    ]);
    expect(items[1].dims).toEqual([2, 2]);
    expect(items[1].data.buffer).toBe(data.buffer);
  });

  it('refuses an output whose batch axis does not match the batch', () => {
    expect(() => splitBatch(new Float32Array(4), [2, 2], 3)).toThrow(/batch of 3/);
  });
});

describe('trimAxis', () => {
  it('cuts the leading axis', () => {
    const trimmed = trimAxis({ data: Int32Array.of(1, 2, 3, 4, 0, 0), dims: [3, 2] }, 0, 2);
    expect(trimmed.dims).toEqual([2, 2]);
    expect(values(trimmed.data)).toEqual([1, 2, 3, 4]);
  });

  it('cuts an inner axis in every block', () => {
    const trimmed = trimAxis({ data: Float64Array.of(1, 2, 0, 3, 4, 0), dims: [2, 3] }, 1, 2);
    expect(trimmed.dims).toEqual([2, 2]);
    expect(values(trimmed.data)).toEqual([1, 2, 3, 4]);
    expect(trimmed.data).toBeInstanceOf(Float64Array);
  });

  it('returns the item itself when nothing is cut', () => {
    const item = { data: Float32Array.of(1, 2), dims: [2] };
    expect(trimAxis(item, 0, 2)).toBe(item);
    expect(() => trimAxis(item, 1, 1)).toThrow(/out of range/);
  });
});
