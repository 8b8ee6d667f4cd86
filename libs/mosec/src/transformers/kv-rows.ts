/**
 * Key/value caches of sequences of different lengths, moved in and out of a batch. A row keeps only
 * its own tokens' columns (no padding: positions are given to the graph explicitly, so a key keeps
 * its rotary position wherever its column lands). A batch lays its rows left-padded to the longest,
 * with attention-mask zeros over the padding; the graph's `present.*` come back in the same layout.
 */

/** One sequence's cache: for each `past_key_values` input, a [heads, length, headDim] block. */
export interface RowCache {
  readonly length: number;
  readonly blocks: Float32Array[];
}

export interface CacheShape {
  /** `past_key_values.*` inputs, in order (keys and values of every layer). */
  readonly names: string[];
  readonly heads: number;
  readonly headDim: number;
}

/** A batch's cache: `blocks[i]` is [rows, heads, columns, headDim]; `mask` [rows, columns] marks each row's own columns. */
export interface StackedCache {
  readonly rows: number;
  readonly columns: number;
  readonly blocks: Float32Array[];
  readonly mask: Uint8Array;
}

export const EMPTY_ROW = (shape: CacheShape): RowCache => ({ length: 0, blocks: shape.names.map(() => new Float32Array(0)) });

/** Row `row` of a batch, laid into a new batch straight from it (one copy, not out and back in). */
export interface BatchRow {
  readonly batch: StackedCache;
  readonly row: number;
}

/** A row of a new batch: a sequence's own cache, or a row of the batch before. */
export type RowSource = RowCache | BatchRow;

const isBatchRow = (source: RowSource): source is BatchRow => 'batch' in source;

/** The columns of row `r` that its mask marks. */
function keptColumns(stacked: StackedCache, r: number): number[] {
  const kept: number[] = [];
  for (let c = 0; c < stacked.columns; c++) if (stacked.mask[r * stacked.columns + c]) kept.push(c);
  return kept;
}

/**
 * Copies the `kept` columns of row `r` of a [rows, heads, columns, headDim] block into `out`, head h's
 * first column at `outAt(h)`: one copy a head when the columns are contiguous, else one a column.
 */
function copyRow(shape: CacheShape, block: Float32Array, columns: number, r: number, kept: number[], out: Float32Array, outAt: (h: number) => number): void {
  const { heads, headDim } = shape;
  const contiguousFrom = kept.length > 0 && kept[kept.length - 1] - kept[0] === kept.length - 1 ? kept[0] : -1;
  for (let h = 0; h < heads; h++) {
    const base = (r * heads + h) * columns;
    if (contiguousFrom >= 0) {
      out.set(block.subarray((base + contiguousFrom) * headDim, (base + contiguousFrom + kept.length) * headDim), outAt(h));
      continue;
    }
    kept.forEach((c, k) => out.set(block.subarray((base + c) * headDim, (base + c + 1) * headDim), outAt(h) + k * headDim));
  }
}

/**
 * Lays rows out left-padded to the longest (`columns` at least, when given), then `spare` free
 * columns (mask 0) where later steps can write their new columns in place.
 */
export function stackRows(shape: CacheShape, rows: RowSource[], columns = 0, spare = 0): StackedCache {
  const kept = rows.map((source) => (isBatchRow(source) ? keptColumns(source.batch, source.row) : undefined));
  const lengths = rows.map((source, r) => kept[r]?.length ?? (source as RowCache).length);
  const used = Math.max(columns, ...lengths);
  const width = used + spare;
  const { heads, headDim } = shape;
  const mask = new Uint8Array(rows.length * width);
  const blocks = shape.names.map((_, b) => {
    const block = new Float32Array(rows.length * heads * width * headDim);
    rows.forEach((source, r) => {
      const length = lengths[r];
      const at = (h: number) => ((r * heads + h) * width + used - length) * headDim;
      if (isBatchRow(source)) return copyRow(shape, source.batch.blocks[b], source.batch.columns, source.row, kept[r]!, block, at);
      for (let h = 0; h < heads; h++) block.set(source.blocks[b].subarray(h * length * headDim, (h + 1) * length * headDim), at(h));
    });
    return block;
  });
  lengths.forEach((length, r) => mask.fill(1, r * width + used - length, r * width + used));
  return { rows: rows.length, columns: width, blocks, mask };
}

/** Copies row `r` out of a batch, keeping only the columns its mask marks. */
export function takeRow(shape: CacheShape, stacked: StackedCache, r: number): RowCache {
  const { heads, headDim } = shape;
  const kept = keptColumns(stacked, r);
  const blocks = stacked.blocks.map((block) => {
    const out = new Float32Array(heads * kept.length * headDim);
    copyRow(shape, block, stacked.columns, r, kept, out, (h) => h * kept.length * headDim);
    return out;
  });
  return { length: kept.length, blocks };
}
