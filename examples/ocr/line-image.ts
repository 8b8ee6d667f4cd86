import { Quad, RgbImage } from './ocr.types';

/** Crops taller than this ratio are vertical text: PaddleOCR turns them 90° before reading. */
const VERTICAL_RATIO = 1.5;

/**
 * Cuts a line out of the image, straightened: the box's top-left, top-right and bottom-left
 * corners are mapped onto the crop's (an affine version of PaddleOCR's perspective crop; the
 * boxes are rectangles, or parallelograms once scaled back, so nothing is lost).
 */
export function cropLine(image: RgbImage, box: Quad): RgbImage {
  const [topLeft, topRight, bottomRight, bottomLeft] = box;
  const distance = (a: number[], b: number[]) => Math.hypot(a[0] - b[0], a[1] - b[1]);
  const width = Math.max(1, Math.trunc(Math.max(distance(topLeft, topRight), distance(bottomLeft, bottomRight))));
  const height = Math.max(1, Math.trunc(Math.max(distance(topLeft, bottomLeft), distance(topRight, bottomRight))));
  const across = [(topRight[0] - topLeft[0]) / width, (topRight[1] - topLeft[1]) / width];
  const down = [(bottomLeft[0] - topLeft[0]) / height, (bottomLeft[1] - topLeft[1]) / height];
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sx = topLeft[0] + x * across[0] + y * down[0];
      const sy = topLeft[1] + x * across[1] + y * down[1];
      for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = sampleBilinear(image, sx, sy, c);
    }
  }
  const crop = { width, height, data };
  return height / width >= VERTICAL_RATIO ? rotate90CounterClockwise(crop) : crop;
}

/** Bilinear sample of channel `c` at (x, y); outside the image the border pixels repeat. */
export function sampleBilinear(image: RgbImage, x: number, y: number, c: number): number {
  const { width, height, data } = image;
  const cx = Math.min(Math.max(x, 0), width - 1);
  const cy = Math.min(Math.max(y, 0), height - 1);
  const x0 = Math.floor(cx);
  const y0 = Math.floor(cy);
  const x1 = Math.min(x0 + 1, width - 1);
  const y1 = Math.min(y0 + 1, height - 1);
  const fx = cx - x0;
  const fy = cy - y0;
  const at = (px: number, py: number) => data[(py * width + px) * 3 + c];
  const top = at(x0, y0) * (1 - fx) + at(x1, y0) * fx;
  const bottom = at(x0, y1) * (1 - fx) + at(x1, y1) * fx;
  return top * (1 - fy) + bottom * fy;
}

export function rotate180(image: RgbImage): RgbImage {
  const pixels = image.width * image.height;
  const data = new Uint8Array(pixels * 3);
  for (let p = 0; p < pixels; p++) data.set(image.data.subarray(p * 3, p * 3 + 3), (pixels - 1 - p) * 3);
  return { width: image.width, height: image.height, data };
}

export function rotate90CounterClockwise(image: RgbImage): RgbImage {
  const { width, height } = image;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const target = ((width - 1 - x) * height + y) * 3;
      data.set(image.data.subarray((y * width + x) * 3, (y * width + x) * 3 + 3), target);
    }
  }
  return { width: height, height: width, data };
}
