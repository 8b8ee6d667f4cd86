import { BatchWorker, Stage, ValidationError, Worker } from '@mosec/nest';
import { OnModuleInit } from '@nestjs/common';
import { availableParallelism } from 'node:os';
import type { InferenceSession } from 'onnxruntime-node';
import sharp from 'sharp';
import { ctcGreedyDecode } from './ctc-decode';
import { boxesFromProbabilityMap } from './db-postprocess';
import { decodeImage, toDetectionInput } from './image-decode';
import { cropLine, rotate180 } from './line-image';
import { cutRuns } from './line-runs';
import { lineTensor } from './line-tensor';
import { createSession, loadCharacters, MODEL_FILES, runModel } from './model-files';
import { CroppedLines, DetectedLines, DetectionInput, LineCrop, OcrLine, OcrResponse, Quad, RgbImage } from './ocr.types';
import { positiveInteger } from './positive-integer';
import { sortReadingOrder } from './reading-order';

/** Requests (images) per recognize batch; 1 turns batching across requests off (read when the class is decorated). */
const RECOGNIZE_BATCH_SIZE = positiveInteger('OCR_RECOGNIZE_BATCH_SIZE', 8);
/** Lines per model run in classify and recognize, whichever requests they come from. */
const LINES_PER_RUN = positiveInteger('OCR_LINES_PER_RUN', 16);
/** Recognize runs hold at most this many padded columns (lines x width); see `cutRuns`. */
const REC_RUN_COLUMNS = positiveInteger('OCR_REC_RUN_COLUMNS', 1600);
/**
 * Recognize does most of the work (a wide line costs it ~70 ms on one core, detecting a page ~100 ms),
 * so it has the cores: this many workers, so that a second one reads another request's lines while
 * the first reads its own,
 */
const RECOGNIZE_WORKERS = positiveInteger('OCR_RECOGNIZE_WORKERS', 2);
/**
 * each with this many intra-op threads (default: every core). A lone page's lines go to one worker:
 * with the cores divided among the workers it read them on one core while the other idled. Threads
 * that do not spin (the library's session options) give the cores back as soon as they wait, so the
 * workers share them under load.
 */
const RECOGNIZE_THREADS = positiveInteger('OCR_RECOGNIZE_THREADS', availableParallelism());

const CLS_HEIGHT = 48;
const CLS_WIDTH = 192;
/** The classifier's labels are ['0', '180']; a line is turned only when '180' is this likely. */
const CLS_TURN_THRESHOLD = 0.9;
const REC_HEIGHT = 48;
/** Recognition inputs are at least 320 wide (PP-OCRv4's 3x48x320), wider for long lines. */
const REC_MIN_RATIO = 320 / 48;
/** Lines read with less confidence are dropped, as PaddleOCR's drop_score. */
const DROP_SCORE = 0.5;

/** Image bytes to the detector's input; a body that is not an image is refused with 422. */
@Stage({ num: 1 })
export class Decode implements Worker<Buffer, DetectionInput>, OnModuleInit {
  example: Buffer;

  async onModuleInit(): Promise<void> {
    sharp.concurrency(1);
    this.example = await sharp({ create: { width: 64, height: 32, channels: 3, background: '#ffffff' } }).png().toBuffer();
  }

  async forward(body: Buffer): Promise<DetectionInput> {
    if (!Buffer.isBuffer(body)) {
      throw new ValidationError('send the image bytes with Content-Type image/png, image/jpeg or application/octet-stream');
    }
    const { image, scale } = await decodeImage(body);
    return toDetectionInput(image, scale);
  }
}

/** DB text detection: the line boxes of each image, in reading order. */
@Stage({ maxBatchSize: 4, maxWaitTime: 10 })
export class Detect implements BatchWorker<DetectionInput, DetectedLines>, OnModuleInit {
  example: DetectionInput[];
  private session: InferenceSession;

  async onModuleInit(): Promise<void> {
    this.session = await createSession(MODEL_FILES.detection);
    this.example = [await toDetectionInput(blankImage(64, 64))];
  }

  /** Images of the same size run together (the detector takes any multiple of 32, but one size per run). */
  async forward(batch: DetectionInput[]): Promise<DetectedLines[]> {
    const results = new Array<DetectedLines>(batch.length);
    const bySize = groupIndices(batch, (input) => `${input.tensorWidth}x${input.tensorHeight}`);
    for (const indices of bySize) {
      const { tensorWidth: width, tensorHeight: height } = batch[indices[0]];
      const plane = width * height;
      const tensor = new Float32Array(indices.length * 3 * plane);
      indices.forEach((index, n) => tensor.set(batch[index].tensor, n * 3 * plane));
      const probabilities = await runModel(this.session, tensor, [indices.length, 3, height, width]);
      indices.forEach((index, n) => {
        const { image, scale } = batch[index];
        const map = { data: probabilities.data.subarray(n * plane, (n + 1) * plane), width, height };
        results[index] = { image, scale, boxes: sortReadingOrder(boxesFromProbabilityMap(map, image.width, image.height)) };
      });
    }
    return results;
  }
}

/** Cuts each line out of its image and turns the upside-down ones; lines of all requests in the batch share model runs. */
@Stage({ maxBatchSize: 4, maxWaitTime: 10 })
export class Classify implements BatchWorker<DetectedLines, CroppedLines>, OnModuleInit {
  example: DetectedLines[];
  private session: InferenceSession;

  async onModuleInit(): Promise<void> {
    this.session = await createSession(MODEL_FILES.classification);
    this.example = [{ image: blankImage(120, 40), scale: 1, boxes: [[[10, 10], [110, 10], [110, 30], [10, 30]]] }];
  }

  async forward(batch: DetectedLines[]): Promise<CroppedLines[]> {
    const perRequest: LineCrop[][] = batch.map(({ image, boxes }) => boxes.map((box) => ({ box, crop: cropLine(image, box) })));
    const lines = perRequest.flat();
    const turned = new Set<LineCrop>();
    for (let start = 0; start < lines.length; start += LINES_PER_RUN) {
      const run = lines.slice(start, start + LINES_PER_RUN);
      const tensor = lineTensor(run.map((line) => line.crop), CLS_HEIGHT, CLS_WIDTH);
      const { data } = await runModel(this.session, tensor, [run.length, 3, CLS_HEIGHT, CLS_WIDTH]);
      run.forEach((line, n) => {
        const upsideDown = data[n * 2 + 1];
        if (upsideDown > data[n * 2] && upsideDown > CLS_TURN_THRESHOLD) {
          line.crop = rotate180(line.crop);
          turned.add(line);
        }
      });
    }
    return perRequest.map((lines, index) => ({ lines: readingOrder(lines, turned), scale: batch[index].scale }));
  }
}

/**
 * CTC text recognition. The lines of every request in the batch are pooled, sorted by aspect
 * ratio and cut into runs (`cutRuns`), each padded to its widest line (sorting keeps the padding
 * small); the texts then go back to their requests, in reading order.
 */
@Stage({ num: RECOGNIZE_WORKERS, maxBatchSize: RECOGNIZE_BATCH_SIZE, maxWaitTime: 10 })
export class Recognize implements OnModuleInit {
  example: CroppedLines[];
  private session: InferenceSession;
  private characters: string[];

  async onModuleInit(): Promise<void> {
    this.session = await createSession(MODEL_FILES.recognition, RECOGNIZE_THREADS);
    this.characters = loadCharacters();
    this.example = [{ lines: [{ box: [[0, 0], [200, 0], [200, 40], [0, 40]], crop: blankImage(200, 40) }], scale: 1 }];
  }

  /** A batch, or a single request when OCR_RECOGNIZE_BATCH_SIZE is 1 (a stage that does not batch gets items alone). */
  async forward(input: CroppedLines[] | CroppedLines): Promise<OcrResponse[] | OcrResponse> {
    return Array.isArray(input) ? this.readBatch(input) : (await this.readBatch([input]))[0];
  }

  private async readBatch(batch: CroppedLines[]): Promise<OcrResponse[]> {
    const read: Array<Array<OcrLine | undefined>> = batch.map((item) => item.lines.map(() => undefined));
    const pooled = batch.flatMap((item, request) =>
      item.lines.map((line, index) => ({ request, index, line, ratio: line.crop.width / line.crop.height })),
    );
    pooled.sort((a, b) => a.ratio - b.ratio);
    const widthOf = (entry: { ratio: number }) => Math.trunc(REC_HEIGHT * Math.max(REC_MIN_RATIO, entry.ratio));
    for (const run of cutRuns(pooled, widthOf, LINES_PER_RUN, REC_RUN_COLUMNS)) {
      const width = widthOf(run[run.length - 1]);
      const tensor = lineTensor(run.map((entry) => entry.line.crop), REC_HEIGHT, width);
      const { data, dims } = await runModel(this.session, tensor, [run.length, 3, REC_HEIGHT, width]);
      const [, steps, classes] = dims;
      run.forEach(({ request, index, line }, n) => {
        const decoded = ctcGreedyDecode(data.subarray(n * steps * classes, (n + 1) * steps * classes), steps, this.characters);
        // Boxes in the sender's pixels, though the lines were cut from the scaled image.
        read[request][index] = { text: decoded.text, confidence: round(decoded.confidence), box: roundBox(line.box, batch[request].scale) };
      });
    }
    return read.map((lines) => ({
      lines: lines.filter((line): line is OcrLine => !!line && line.text.trim() !== '' && line.confidence >= DROP_SCORE),
    }));
  }
}

/** When most lines of an image are upside down, the whole image is: its reading order is the reverse. */
function readingOrder(lines: LineCrop[], turned: Set<LineCrop>): LineCrop[] {
  const upsideDown = lines.filter((line) => turned.has(line)).length;
  return upsideDown * 2 > lines.length ? [...lines].reverse() : lines;
}

function blankImage(width: number, height: number): RgbImage {
  return { width, height, data: new Uint8Array(width * height * 3).fill(255) };
}

function groupIndices<T>(items: T[], key: (item: T) => string): number[][] {
  const groups = new Map<string, number[]>();
  items.forEach((item, index) => {
    const k = key(item);
    groups.set(k, [...(groups.get(k) ?? []), index]);
  });
  return [...groups.values()];
}

function round(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}

function roundBox(box: Quad, scale: number): Quad {
  return box.map(([x, y]) => [Math.round(x * scale), Math.round(y * scale)]) as Quad;
}
