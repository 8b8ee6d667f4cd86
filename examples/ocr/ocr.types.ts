/** Interleaved 8-bit RGB pixels, row by row. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export type Point = [number, number];

/** A text line's corners in image pixels: top-left, top-right, bottom-right, bottom-left. */
export type Quad = [Point, Point, Point, Point];

/** How many of the sender's pixels one pixel of the stages' image is (1: not scaled down). */
export interface Scaled {
  scale: number;
}

/** A decoded image, scaled down to what the stages work on. */
export interface ScaledImage extends Scaled {
  image: RgbImage;
}

/** What `Decode` hands to `Detect`: the (scaled) image, and the detector's input for it. */
export interface DetectionInput extends Scaled {
  image: RgbImage;
  /** 1x3xHxW, normalized, in the channel order the detector was trained with (BGR). */
  tensor: Float32Array;
  tensorWidth: number;
  tensorHeight: number;
}

/** What `Detect` hands to `Classify`: the image and its line boxes in reading order. */
export interface DetectedLines extends Scaled {
  image: RgbImage;
  boxes: Quad[];
}

/** One line cut out of its image, upright (turned 180° if the classifier said so). */
export interface LineCrop {
  box: Quad;
  crop: RgbImage;
}

/** What `Classify` hands to `Recognize`. */
export interface CroppedLines extends Scaled {
  lines: LineCrop[];
}

export interface OcrLine {
  text: string;
  confidence: number;
  box: Quad;
}

/** The response body. */
export interface OcrResponse {
  lines: OcrLine[];
}
