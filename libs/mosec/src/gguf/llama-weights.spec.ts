import { unpermutedRows } from './llama-weights';

/**
 * llama.cpp's conversion of a query/key projection, per head: rows viewed as [2, d/2] (the two
 * rotary halves) are transposed to [d/2, 2], so each rotated pair becomes adjacent.
 */
function ggufRowOrder(rows: number, headDim: number): number[] {
  const order: number[] = [];
  for (let head = 0; head < rows / headDim; head++) {
    for (let i = 0; i < headDim / 2; i++) for (let s = 0; s < 2; s++) order.push(head * headDim + s * (headDim / 2) + i);
  }
  return order; // order[ggufRow] = original row
}

describe('unpermutedRows', () => {
  it('finds each original row of two heads of 4 in llama.cpp\'s order', () => {
    // GGUF rows per head: [x0, x2, x1, x3] of the original [x0, x1 | x2, x3].
    expect(Array.from(unpermutedRows(8, 4))).toEqual([0, 2, 1, 3, 4, 6, 5, 7]);
  });

  it('undoes the converter\'s permutation for the shapes of SmolLM2 (9 query and 3 key heads of 64)', () => {
    for (const rows of [576, 192]) {
      const original = ggufRowOrder(rows, 64);
      const source = unpermutedRows(rows, 64);
      expect(Array.from(source, (ggufRow) => original[ggufRow])).toEqual(Array.from({ length: rows }, (_, row) => row));
    }
  });

  it('refuses rows that are not whole heads', () => {
    expect(() => unpermutedRows(10, 4)).toThrow('10 rows do not split into heads of 4');
  });
});
