import { Quad } from './ocr.types';

/** Lines whose tops differ by less than this many pixels are on the same row. */
const SAME_ROW_PIXELS = 10;

/** Reading order as PaddleOCR's sorted_boxes: top to bottom, then left to right within a row. */
export function sortReadingOrder(boxes: Quad[]): Quad[] {
  const sorted = [...boxes].sort((a, b) => a[0][1] - b[0][1] || a[0][0] - b[0][0]);
  for (let i = 0; i < sorted.length - 1; i++) {
    for (let j = i; j >= 0; j--) {
      const [upper, lower] = [sorted[j], sorted[j + 1]];
      if (Math.abs(lower[0][1] - upper[0][1]) >= SAME_ROW_PIXELS || lower[0][0] >= upper[0][0]) break;
      [sorted[j], sorted[j + 1]] = [lower, upper];
    }
  }
  return sorted;
}
