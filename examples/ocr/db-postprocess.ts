import { growRect, minAreaRect, orderCorners } from './min-area-rect';
import { Point, Quad } from './ocr.types';

/**
 * PaddleOCR's DBPostProcess settings for PP-OCRv4, with RapidOCR's dilation and unclip ratio: from
 * boxes a pixel tighter, the recognizer reads some 7s as "/" and 0s as "o".
 */
export const DB_OPTIONS = {
  /** A pixel is text when its probability is above this. */
  threshold: 0.3,
  /** A region is kept when its mean probability is at least this. */
  boxThreshold: 0.6,
  /** How far a box grows back (DB shrinks the text regions it learns): area * ratio / perimeter (RapidOCR's 1.6). */
  unclipRatio: 1.6,
  /** Boxes with a shorter side (in map pixels) are noise. */
  minSize: 3,
  /** The text mask grown by a 2x2 dilation before regions are traced (RapidOCR's use_dilation). */
  dilate: true,
  maxCandidates: 1000,
};

export interface ProbabilityMap {
  data: Float32Array;
  width: number;
  height: number;
}

/**
 * Text boxes from the detector's probability map, in the coordinates of the original image
 * (`destWidth` x `destHeight`). Each connected text region becomes the smallest rotated rectangle
 * around it, scored, grown by the unclip distance and scaled back.
 */
export function boxesFromProbabilityMap(map: ProbabilityMap, destWidth: number, destHeight: number, options = DB_OPTIONS): Quad[] {
  const boxes: Quad[] = [];
  const regions = textRegions(map, options.threshold, options.dilate).slice(0, options.maxCandidates);
  for (const outline of regions) {
    const rect = minAreaRect(outline);
    if (Math.min(rect.lengthU, rect.lengthV) < options.minSize) continue;
    if (meanInside(map, rect.corners) < options.boxThreshold) continue;
    const area = rect.lengthU * rect.lengthV;
    const perimeter = 2 * (rect.lengthU + rect.lengthV);
    const grown = growRect(rect, (area * options.unclipRatio) / perimeter);
    if (Math.min(grown.lengthU, grown.lengthV) < options.minSize + 2) continue;
    // The 2x2 dilation moved the region half a map pixel right and down: move the box back.
    const shift = options.dilate ? 0.5 : 0;
    const scaled = grown.corners.map(([x, y]): Point => [
      clamp(Math.round(((x - shift) / map.width) * destWidth), 0, destWidth - 1),
      clamp(Math.round(((y - shift) / map.height) * destHeight), 0, destHeight - 1),
    ]);
    const box = orderCorners(scaled);
    const sideWidth = Math.trunc(Math.hypot(box[1][0] - box[0][0], box[1][1] - box[0][1]));
    const sideHeight = Math.trunc(Math.hypot(box[3][0] - box[0][0], box[3][1] - box[0][1]));
    if (sideWidth <= 3 || sideHeight <= 3) continue;
    boxes.push(box);
  }
  return boxes;
}

/**
 * The 8-connected regions of pixels above `threshold` (with `dilate`, also the pixels right of and
 * below one, as OpenCV's dilation with a 2x2 kernel), each given by the leftmost and rightmost pixel
 * of every row it spans: those points have the same convex hull as the whole region.
 */
export function textRegions(map: ProbabilityMap, threshold: number, dilate = false): Point[][] {
  const { width, height } = map;
  const mask = textMask(map, threshold, dilate);
  const stack = new Int32Array(width * height);
  const rowMin = new Int32Array(height).fill(width);
  const rowMax = new Int32Array(height).fill(-1);
  const regions: Point[][] = [];
  for (let start = 0; start < mask.length; start++) {
    if (mask[start] !== 1) continue;
    let top = height, bottom = -1, size = 0;
    mask[start] = 2;
    stack[size++] = start;
    while (size > 0) {
      const index = stack[--size];
      const x = index % width;
      const y = (index - x) / width;
      if (y < top) top = y;
      if (y > bottom) bottom = y;
      if (x < rowMin[y]) rowMin[y] = x;
      if (x > rowMax[y]) rowMax[y] = x;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const next = ny * width + nx;
          if (mask[next] === 1) {
            mask[next] = 2;
            stack[size++] = next;
          }
        }
      }
    }
    const outline: Point[] = [];
    for (let row = top; row <= bottom; row++) {
      if (rowMax[row] < 0) continue;
      outline.push([rowMin[row], row]);
      if (rowMax[row] !== rowMin[row]) outline.push([rowMax[row], row]);
      rowMin[row] = width;
      rowMax[row] = -1;
    }
    regions.push(outline);
  }
  return regions;
}

/** 1 where the map is above `threshold` (with `dilate`, also just right of or below such a pixel), else 0. */
function textMask(map: ProbabilityMap, threshold: number, dilate: boolean): Uint8Array {
  const { data, width, height } = map;
  const above = new Uint8Array(width * height);
  for (let i = 0; i < above.length; i++) above[i] = data[i] > threshold ? 1 : 0;
  if (!dilate) return above;
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const left = x > 0 && above[i - 1] === 1;
      const up = y > 0 && (above[i - width] === 1 || (x > 0 && above[i - width - 1] === 1));
      mask[i] = above[i] === 1 || left || up ? 1 : 0;
    }
  }
  return mask;
}

/** Mean probability of the pixels inside a convex quad (its corners truncated to whole pixels, as PaddleOCR's fast score). */
export function meanInside(map: ProbabilityMap, quad: Quad): number {
  const corners = quad.map(([x, y]): Point => [Math.trunc(x), Math.trunc(y)]);
  const xs = quad.map((p) => p[0]);
  const ys = quad.map((p) => p[1]);
  const left = clamp(Math.floor(Math.min(...xs)), 0, map.width - 1);
  const right = clamp(Math.ceil(Math.max(...xs)), 0, map.width - 1);
  const top = clamp(Math.floor(Math.min(...ys)), 0, map.height - 1);
  const bottom = clamp(Math.ceil(Math.max(...ys)), 0, map.height - 1);
  let sum = 0;
  let count = 0;
  for (let y = top; y <= bottom; y++) {
    for (let x = left; x <= right; x++) {
      if (!insideConvex(corners, x, y)) continue;
      sum += map.data[y * map.width + x];
      count++;
    }
  }
  return count > 0 ? sum / count : 0;
}

/** Inside or on the border of a convex polygon, whichever way it winds. */
function insideConvex(corners: Point[], x: number, y: number): boolean {
  let sign = 0;
  for (let i = 0; i < corners.length; i++) {
    const [ax, ay] = corners[i];
    const [bx, by] = corners[(i + 1) % corners.length];
    const side = (bx - ax) * (y - ay) - (by - ay) * (x - ax);
    if (side === 0) continue;
    if (sign === 0) sign = Math.sign(side);
    else if (Math.sign(side) !== sign) return false;
  }
  return true;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high);
}
