import { ValidationError } from '@mosec/nest';
import sharp from 'sharp';
import { DetectionInput, RgbImage, ScaledImage } from './ocr.types';
import { positiveInteger } from './positive-integer';

/** PaddleOCR's detection resize: the longer side at most 960, both sides multiples of 32. */
export const DET_LIMIT_SIDE = 960;
/** Images of more pixels are refused from their header, before they are decoded (a 40 MP photo is taken). */
export const MAX_INPUT_PIXELS = positiveInteger('OCR_MAX_INPUT_PIXELS', 40_000_000);
/**
 * Larger images are scaled down as they are decoded, so that the longer side is at most this: what
 * the stages pass on and crop lines from (an 8000x5000 scan becomes 4096x2560, 31 MB of RGB instead
 * of 120 MB). Text must stay legible at that size: lines under ~20 pixels high after scaling read worse.
 */
export const MAX_SIDE = positiveInteger('OCR_MAX_SIDE', 4096);

/** ImageNet mean/std, applied to B, G, R as PaddleOCR does on OpenCV's BGR images. */
const MEAN_BGR = [0.485, 0.456, 0.406];
const STD_BGR = [0.229, 0.224, 0.225];

/**
 * Image bytes (PNG, JPEG, WebP…) to upright RGB, transparency on white, scaled down to `MAX_SIDE`
 * as it is decoded (JPEG shrinks on load; others stream through the resize), with the factor that
 * takes its coordinates back to the sender's image. More than `MAX_INPUT_PIXELS` is refused (422)
 * from the image's header alone.
 */
export async function decodeImage(bytes: Buffer): Promise<ScaledImage> {
  const { width = 0, height = 0 } = await sharp(bytes).metadata().catch((error: Error) => {
    throw new ValidationError(`not a decodable image: ${error.message}`);
  });
  if (width * height > MAX_INPUT_PIXELS) {
    throw new ValidationError(`the image has ${width}x${height} pixels, more than the ${MAX_INPUT_PIXELS} this service reads (OCR_MAX_INPUT_PIXELS)`);
  }
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, sequentialRead: true })
      .autoOrient()
      .resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`unexpected ${info.channels} channels`);
    // autoOrient may have swapped the sides: compare the longer with the longer.
    const scale = Math.max(width, height) / Math.max(info.width, info.height);
    return { image: { width: info.width, height: info.height, data }, scale };
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
export async function toDetectionInput(image: RgbImage, scale = 1): Promise<DetectionInput> {
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
  return { image, scale, tensor, tensorWidth: size.width, tensorHeight: size.height };
}
