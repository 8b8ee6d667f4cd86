import { RgbImage } from './ocr.types';

/** The width a line takes at `height`, keeping its aspect ratio, at most `maxWidth`. */
export function scaledWidth(image: RgbImage, height: number, maxWidth: number): number {
  return Math.max(1, Math.min(maxWidth, Math.ceil((height * image.width) / image.height)));
}

/**
 * Line images as one Nx3xHxW tensor, PaddleOCR's resize_norm_img: each line resized to height H
 * keeping its aspect ratio (at most W wide, bilinear), scaled to [-1, 1] in BGR order, zero-padded
 * on the right.
 */
export function lineTensor(images: RgbImage[], height: number, width: number): Float32Array {
  const plane = height * width;
  const tensor = new Float32Array(images.length * 3 * plane);
  images.forEach((image, n) => {
    const lineWidth = scaledWidth(image, height, width);
    const columns = bilinearTaps(image.width, lineWidth);
    const rows = bilinearTaps(image.height, height);
    const { data } = image;
    const stride = image.width * 3;
    for (let y = 0; y < height; y++) {
      const top = rows.low[y] * stride;
      const bottom = rows.high[y] * stride;
      const fy = rows.weight[y];
      for (let x = 0; x < lineWidth; x++) {
        const left = columns.low[x] * 3;
        const right = columns.high[x] * 3;
        const fx = columns.weight[x];
        for (let c = 0; c < 3; c++) {
          const channel = 2 - c; // channel c of BGR
          const upper = data[top + left + channel] * (1 - fx) + data[top + right + channel] * fx;
          const lower = data[bottom + left + channel] * (1 - fx) + data[bottom + right + channel] * fx;
          tensor[(n * 3 + c) * plane + y * width + x] = (upper * (1 - fy) + lower * fy) / 127.5 - 1;
        }
      }
    }
  });
  return tensor;
}

/**
 * For each of `scaled` output positions, the two source positions (of `size`) it blends and the
 * weight of the second: pixel centres aligned, the border repeated (as OpenCV's INTER_LINEAR).
 * Computed once per line instead of once per pixel.
 */
function bilinearTaps(size: number, scaled: number): { low: Int32Array; high: Int32Array; weight: Float64Array } {
  const low = new Int32Array(scaled);
  const high = new Int32Array(scaled);
  const weight = new Float64Array(scaled);
  const scale = size / scaled;
  for (let i = 0; i < scaled; i++) {
    const at = Math.min(Math.max((i + 0.5) * scale - 0.5, 0), size - 1);
    low[i] = Math.floor(at);
    high[i] = Math.min(low[i] + 1, size - 1);
    weight[i] = at - low[i];
  }
  return { low, high, weight };
}
