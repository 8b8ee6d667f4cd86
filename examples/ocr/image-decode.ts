import { ValidationError } from '@mosec/nest';
import sharp from 'sharp';
import { DetectionInput, RgbImage } from './ocr.types';

/** PaddleOCR's detection resize: the longer side at most 960, both sides multiples of 32. */
export const DET_LIMIT_SIDE = 960;
/** Larger images are refused before they are decoded. */
const MAX_INPUT_PIXELS = 40_000_000;

/** ImageNet mean/std, applied to B, G, R as PaddleOCR does on OpenCV's BGR images. */
const MEAN_BGR = [0.485, 0.456, 0.406];
const STD_BGR = [0.229, 0.224, 0.225];

/** Image bytes (PNG, JPEG, WebP…) to upright RGB; transparency becomes white. */
export async function decodeImage(bytes: Buffer): Promise<RgbImage> {
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS })
      .autoOrient()
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`unexpected ${info.channels} channels`);
    return { width: info.width, height: info.height, data };
  } catch (error) {
    throw new ValidationError(`not a decodable image: ${(error as Error).message}`);
  }
}

/** The detector's input size for an image: limited, then rounded to multiples of 32 (at least 32). */
export function detectionSize(width: number, height: number, limit = DET_LIMIT_SIDE): { width: number; height: number } {
  const ratio = Math.max(width, height) > limit ? limit / Math.max(width, height) : 1;
  const round32 = (side: number) => Math.max(Math.round(Math.trunc(side * ratio) / 32) * 32, 32);
  return { width: round32(width), height: round32(height) };
}

/** Resizes the image for the detector and normalizes it into a 1x3xHxW tensor. */
export async function toDetectionInput(image: RgbImage): Promise<DetectionInput> {
  const size = detectionSize(image.width, image.height);
  const resized = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(size.width, size.height, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer();
  const plane = size.width * size.height;
  const tensor = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) {
      const rgb = resized[p * 3 + (2 - c)]; // channel c of BGR
      tensor[c * plane + p] = (rgb / 255 - MEAN_BGR[c]) / STD_BGR[c];
    }
  }
  return { image, tensor, tensorWidth: size.width, tensorHeight: size.height };
}
