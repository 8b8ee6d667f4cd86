/** Interleaved 8-bit RGB pixels, row by row. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export type Point = [number, number];

/** A text line's corners in image pixels: top-left, top-right, bottom-right, bottom-left. */
export type Quad = [Point, Point, Point, Point];

/** What `Decode` hands to `Detect`: the image, and the detector's input for it. */
export interface DetectionInput {
  image: RgbImage;
  /** 1x3xHxW, normalized, in the channel order the detector was trained with (BGR). */
  tensor: Float32Array;
  tensorWidth: number;
  tensorHeight: number;
}

/** What `Detect` hands to `Classify`: the image and its line boxes in reading order. */
export interface DetectedLines {
  image: RgbImage;
  boxes: Quad[];
}

/** One line cut out of its image, upright (turned 180° if the classifier said so). */
export interface LineCrop {
  box: Quad;
  crop: RgbImage;
}

/** What `Classify` hands to `Recognize`. */
export interface CroppedLines {
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
