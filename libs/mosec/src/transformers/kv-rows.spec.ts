import { CacheShape, RowCache, stackRows, takeRow } from './kv-rows';

const shape: CacheShape = { names: ['k', 'v'], heads: 2, headDim: 3 };
/** A row of `length` columns whose values say where they come from. */
const row = (id: number, length: number): RowCache => ({
  length,
  blocks: shape.names.map((_, b) => Float32Array.from({ length: shape.heads * length * shape.headDim }, (_, i) => id * 1000 + b * 100 + i)),
});

describe('key/value rows', () => {
  it('stacks rows left-padded with mask zeros over the padding, and takes each row back as it was', () => {
    const rows = [row(1, 4), row(2, 1), row(3, 0)];
    const stacked = stackRows(shape, rows);
    expect(stacked.columns).toBe(4);
    expect(Array.from(stacked.mask)).toEqual([1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0]);
    rows.forEach((original, r) => expect(takeRow(shape, stacked, r)).toEqual(original));
  });

  it('drops masked columns inside a row (a padded prompt chunk) when it takes it out', () => {
    const stacked = stackRows(shape, [row(1, 2)], 2);
    const mask = Uint8Array.from([1, 0]);
    const taken = takeRow(shape, { ...stacked, mask }, 0);
    expect(taken.length).toBe(1);
    expect(Array.from(taken.blocks[0])).toEqual([1000, 1001, 1002, 1006, 1007, 1008]);
  });

  it('lays rows of the batch before straight into a new batch, beside joining rows, as if each had been taken out first', () => {
    const a = row(1, 4);
    const b = row(2, 1);
    const c = row(3, 6);
    const before = stackRows(shape, [a, b]);
    // b stays (now first), c joins and is longer than the batch before, a stays; a row that ended is not named.
    const regrouped = stackRows(shape, [{ batch: before, row: 1 }, c, { batch: before, row: 0 }]);
    expect(regrouped).toEqual(stackRows(shape, [b, c, a]));
    // A row whose own columns have a masked one inside (a padded chunk) is laid without it.
    const gapped = { ...before, mask: Uint8Array.from([1, 0, 1, 1, 0, 0, 0, 1]) };
    expect(stackRows(shape, [{ batch: gapped, row: 0 }])).toEqual(stackRows(shape, [takeRow(shape, gapped, 0)]));
  });
});
