import { sampleBilinear } from './line-image';
import { RgbImage } from './ocr.types';

/** The width a line takes at `height`, keeping its aspect ratio, at most `maxWidth`. */
export function scaledWidth(image: RgbImage, height: number, maxWidth: number): number {
  return Math.max(1, Math.min(maxWidth, Math.ceil((height * image.width) / image.height)));
}

/**
 * Line images as one Nx3xHxW tensor, PaddleOCR's resize_norm_img: each line resized to height H
 * keeping its aspect ratio (at most W wide), scaled to [-1, 1] in BGR order, zero-padded on the right.
 */
export function lineTensor(images: RgbImage[], height: number, width: number): Float32Array {
  const plane = height * width;
  const tensor = new Float32Array(images.length * 3 * plane);
  images.forEach((image, n) => {
    const lineWidth = scaledWidth(image, height, width);
    const scaleX = image.width / lineWidth;
    const scaleY = image.height / height;
    for (let y = 0; y < height; y++) {
      const sy = (y + 0.5) * scaleY - 0.5;
      for (let x = 0; x < lineWidth; x++) {
        const sx = (x + 0.5) * scaleX - 0.5;
        for (let c = 0; c < 3; c++) {
          const value = sampleBilinear(image, sx, sy, 2 - c); // channel c of BGR
          tensor[(n * 3 + c) * plane + y * width + x] = value / 127.5 - 1;
        }
      }
    }
  });
  return tensor;
}
