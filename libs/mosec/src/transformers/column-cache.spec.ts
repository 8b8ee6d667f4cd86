import { ColumnCache } from './column-cache';
import { CacheShape, RowCache, takeRow } from './kv-rows';

const shape: CacheShape = { names: ['k', 'v'], heads: 2, headDim: 3 };
/** A row of `length` columns whose values say where they come from. */
const row = (id: number, length: number): RowCache => ({
  length,
  blocks: shape.names.map((_, b) => Float32Array.from({ length: shape.heads * length * shape.headDim }, (_, i) => id * 1000 + b * 100 + i)),
});
/** A new column for each of `rows` rows ([rows, heads, 1, headDim] per block), values from `id`. */
const column = (id: number, rows: number) => shape.names.map((_, b) => Float32Array.from({ length: rows * shape.heads * shape.headDim }, (_, i) => -(id * 1000 + b * 100 + i)));
/** Row `r`'s own columns, as a sequence's cache would hold them. */
const own = (cache: ColumnCache, r: number) => takeRow(shape, cache.stacked, r);
/** `base` with one column appended per head (`added`: [heads, 1, headDim] per block). */
const appended = (base: RowCache, added: Float32Array[]): RowCache => ({
  length: base.length + 1,
  blocks: base.blocks.map((block, b) => {
    const out = new Float32Array(shape.heads * (base.length + 1) * shape.headDim);
    for (let h = 0; h < shape.heads; h++) {
      out.set(block.subarray(h * base.length * shape.headDim, (h + 1) * base.length * shape.headDim), h * (base.length + 1) * shape.headDim);
      out.set(added[b].subarray(h * shape.headDim, (h + 1) * shape.headDim), (h * (base.length + 1) + base.length) * shape.headDim);
    }
    return out;
  }),
});
const rowOf = (added: Float32Array[], r: number) => added.map((block) => block.subarray(r * shape.heads * shape.headDim, (r + 1) * shape.heads * shape.headDim));

describe('column cache (a decode batch written in place)', () => {
  it('lays rows left-padded with free columns after them, masked, and a step mask with the new column', () => {
    const cache = ColumnCache.of(shape, [row(1, 3), row(2, 1)], 2);
    expect(cache.used).toBe(3);
    expect(cache.stacked.columns).toBe(5);
    expect(Array.from(cache.stacked.mask)).toEqual([1, 1, 1, 0, 0, 0, 0, 1, 0, 0]);
    expect(Array.from(cache.stepMask())).toEqual([1, 1, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1]);
    expect(own(cache, 0)).toEqual(row(1, 3));
    expect(own(cache, 1)).toEqual(row(2, 1));
  });

  it("writes each step's new column in place, and lays the rows out anew with free columns when full", () => {
    const cache = ColumnCache.of(shape, [row(1, 3), row(2, 1)], 1);
    let expected = [row(1, 3), row(2, 1)];
    const blocks = cache.stacked.blocks;
    for (let step = 0; step < 3; step++) {
      cache.reserve();
      const added = column(step + 1, 2);
      cache.append(added);
      expected = expected.map((base, r) => appended(base, rowOf(added, r)));
      expected.forEach((rowCache, r) => expect(own(cache, r)).toEqual(rowCache));
    }
    // One free column: the first step wrote in place, the next two each needed the rows laid out anew.
    expect(cache.used).toBe(6);
    expect(cache.stacked.columns).toBe(6);
    expect(cache.stacked.blocks[0]).not.toBe(blocks[0]);
    expect(() => cache.append(column(9, 2))).toThrow(/no free column/);
  });

  it('takes rows that stay straight from the batch before and rows that join from their own cache', () => {
    const before = ColumnCache.of(shape, [row(1, 4), row(2, 2), row(3, 1)], 4);
    before.append(column(7, 3));
    const staying0 = own(before, 0);
    const staying2 = own(before, 2);
    // Row 1 ended; a longer one joins between the two that stay.
    const after = ColumnCache.of(shape, [{ batch: before.stacked, row: 2 }, row(4, 6), { batch: before.stacked, row: 0 }], 4);
    expect(after.used).toBe(6);
    expect(after.stacked.columns).toBe(10);
    expect(own(after, 0)).toEqual(staying2);
    expect(own(after, 1)).toEqual(row(4, 6));
    expect(own(after, 2)).toEqual(staying0);
  });
});
