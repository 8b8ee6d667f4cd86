import { CacheShape, RowSource, stackRows, StackedCache } from './kv-rows';

/**
 * A decode batch's key/value cache for a graph that returns only the new tokens' keys and values
 * (`new_key_values.*`, as the project's GGUF converter writes them) besides the whole `present.*`.
 * Each block is [rows, heads, capacity, headDim]: the rows' columns left-padded up to `used`, then
 * free columns (mask 0) where each step's new column is written in place. The whole block is the next
 * step's `past_key_values` (onnxruntime reads a JS array without copying it), so no step copies the
 * cache: only a batch whose rows change, or one that is full, is laid out anew (with `spare` free
 * columns again).
 */
export class ColumnCache {
  private constructor(
    private readonly shape: CacheShape,
    readonly spare: number,
    /** `columns` is the capacity. */
    public stacked: StackedCache,
    /** Columns in use: where the next new column goes. */
    public used: number,
  ) {}

  /** A batch of `sources` (each row's own cache, or a row of the batch before). */
  static of(shape: CacheShape, sources: RowSource[], spare: number): ColumnCache {
    const stacked = stackRows(shape, sources, 0, spare);
    return new ColumnCache(shape, spare, stacked, stacked.columns - spare);
  }

  /** The same rows, laid out anew with `spare` free columns: when the batch is full. */
  private regrown(): void {
    const sources = Array.from({ length: this.stacked.rows }, (_, row) => ({ batch: this.stacked, row }));
    this.stacked = stackRows(this.shape, sources, this.used, this.spare);
  }

  /** Makes sure one more column fits. */
  reserve(): void {
    if (this.used === this.stacked.columns) this.regrown();
  }

  /** The attention mask of a step of one new token a row: the cache's columns, then the new one. */
  stepMask(): Uint8Array {
    const { rows, columns, mask } = this.stacked;
    const step = new Uint8Array(rows * (columns + 1));
    for (let r = 0; r < rows; r++) {
      step.set(mask.subarray(r * columns, (r + 1) * columns), r * (columns + 1));
      step[r * (columns + 1) + columns] = 1;
    }
    return step;
  }

  /** Writes each row's new column (`added[i]`: [rows, heads, 1, headDim] of block i) at column `used`. */
  append(added: Float32Array[]): void {
    const { heads, headDim } = this.shape;
    const { rows, columns, blocks, mask } = this.stacked;
    if (this.used >= columns) throw new Error('ColumnCache.append: no free column (call reserve first)');
    added.forEach((column, b) => {
      for (let rh = 0; rh < rows * heads; rh++) blocks[b].set(column.subarray(rh * headDim, (rh + 1) * headDim), (rh * columns + this.used) * headDim);
    });
    for (let r = 0; r < rows; r++) mask[r * columns + this.used] = 1;
    this.used++;
  }
}
