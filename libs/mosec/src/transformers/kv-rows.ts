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

/** Lays rows out left-padded to the longest (`columns` at least, when given). */
export function stackRows(shape: CacheShape, rows: RowCache[], columns = 0): StackedCache {
  const width = Math.max(columns, ...rows.map((row) => row.length));
  const { heads, headDim } = shape;
  const mask = new Uint8Array(rows.length * width);
  const blocks = shape.names.map((_, b) => {
    const block = new Float32Array(rows.length * heads * width * headDim);
    rows.forEach((row, r) => {
      const pad = width - row.length;
      for (let h = 0; h < heads; h++) {
        const from = row.blocks[b].subarray(h * row.length * headDim, (h + 1) * row.length * headDim);
        block.set(from, ((r * heads + h) * width + pad) * headDim);
      }
    });
    return block;
  });
  rows.forEach((row, r) => mask.fill(1, r * width + width - row.length, (r + 1) * width));
  return { rows: rows.length, columns: width, blocks, mask };
}

/** Copies row `r` out of a batch, keeping only the columns its mask marks. */
export function takeRow(shape: CacheShape, stacked: StackedCache, r: number): RowCache {
  const { heads, headDim } = shape;
  const { columns, mask } = stacked;
  const kept: number[] = [];
  for (let c = 0; c < columns; c++) if (mask[r * columns + c]) kept.push(c);
  const contiguousFrom = kept.length > 0 && kept[kept.length - 1] - kept[0] === kept.length - 1 ? kept[0] : -1;
  const blocks = stacked.blocks.map((block) => {
    const out = new Float32Array(heads * kept.length * headDim);
    for (let h = 0; h < heads; h++) {
      const base = (r * heads + h) * columns;
      if (contiguousFrom >= 0) {
        out.set(block.subarray((base + contiguousFrom) * headDim, (base + contiguousFrom + kept.length) * headDim), h * kept.length * headDim);
        continue;
      }
      kept.forEach((c, k) => out.set(block.subarray((base + c) * headDim, (base + c + 1) * headDim), (h * kept.length + k) * headDim));
    }
    return out;
  });
  return { length: kept.length, blocks };
}
