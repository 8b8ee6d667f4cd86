/**
 * Frames between the HTTP process and a worker, over a Unix socket:
 *
 *   u32 length (of what follows) | u8 kind | body
 *
 * A batch carries many items in one frame and one write, which is what keeps per-message cost low:
 *
 *   BATCH  body: u32 batchId | u32 count | count × (u16 flags  | u32 length | bytes [| u32 length | meta])
 *   RESULT body: u32 batchId | u32 count | count × (u16 status | u32 length | bytes)
 *
 * A BATCH item whose flags have `ItemFlags.META` is followed by its request metadata (msgpack of
 * `{ headers }`, only for stages that asked for headers). An item flagged `ItemFlags.SHARED` (BATCH), or
 * whose status has `SHARED_RESULT` (RESULT), carries the name of a shared payload instead of its bytes
 * (see ipc/).
 *
 * Control frames (ready, fatal, metrics) carry a JSON body.
 */
export const FrameKind = {
  READY: 2,
  FATAL: 3,
  BATCH: 4,
  RESULT: 5,
  /** HTTP process → worker: send your prom-client metrics. */
  METRICS_REQUEST: 6,
  /** Worker → HTTP process: the metrics, as prom-client's `getMetricsAsJSON()`. */
  METRICS: 7,
  /** Worker → HTTP process: one stream event of one item of a running batch (see stream-frame.ts). */
  STREAM: 8,
  /** Worker → HTTP process, every second once ready: alive, and how far into its batch (see heartbeat-frame.ts). */
  HEARTBEAT: 9,
  /** HTTP process → worker: an item of a batch it was sent lost its client; stop working on it (see cancel-frame.ts). */
  CANCEL: 10,
} as const;

import { ItemFlags } from './item-flags';

const EMPTY = Buffer.alloc(0);
const HEADER = 5;
const BATCH_HEAD = 8;
const ITEM_HEAD = 6;
/** Refuse frames past this size: a corrupt length must not make us buffer gigabytes. */
export const MAX_FRAME = 1 << 30;

export interface DecodedBatch {
  batchId: number;
  /** One entry per item: either its flags (a BATCH) or its status (a RESULT). */
  tags: number[];
  bodies: Buffer[];
  /** BATCH only: each item's metadata, where its flags say it has some. */
  metas?: Array<Buffer | undefined>;
}

/** A frame whose body is a few u32 fields (heartbeats, cancels). */
export function encodeWords(kind: number, words: number[]): Buffer {
  const frame = Buffer.allocUnsafe(HEADER + 4 * words.length);
  frame.writeUInt32LE(1 + 4 * words.length, 0);
  frame[4] = kind;
  words.forEach((word, i) => frame.writeUInt32LE(word, HEADER + 4 * i));
  return frame;
}

export function encodeControl(kind: number, message: unknown): Buffer {
  const json = Buffer.from(JSON.stringify(message));
  const frame = Buffer.allocUnsafe(HEADER + json.length);
  frame.writeUInt32LE(1 + json.length, 0);
  frame[4] = kind;
  json.copy(frame, HEADER);
  return frame;
}

export function decodeControl<T>(body: Buffer): T {
  return JSON.parse(body.toString('utf8')) as T;
}

/** Encodes a BATCH (tags are flags; `metas` for the items flagged META) or a RESULT (tags are statuses) frame; tags are u16. */
export function encodeItems(
  kind: number,
  batchId: number,
  tags: ArrayLike<number>,
  bodies: ArrayLike<Buffer>,
  metas?: ArrayLike<Buffer | undefined>,
): Buffer {
  const result = kind === FrameKind.RESULT;
  let size = HEADER + BATCH_HEAD;
  for (let i = 0; i < bodies.length; i++) {
    size += ITEM_HEAD + bodies[i].length;
    if (!result && tags[i] & ItemFlags.META) size += 4 + (metas?.[i]?.length ?? 0);
  }
  const frame = Buffer.allocUnsafe(size);
  frame.writeUInt32LE(size - 4, 0);
  frame[4] = kind;
  frame.writeUInt32LE(batchId, 5);
  frame.writeUInt32LE(bodies.length, 9);
  let at = HEADER + BATCH_HEAD;
  for (let i = 0; i < bodies.length; i++) {
    frame.writeUInt16LE(tags[i], at);
    at += 2;
    frame.writeUInt32LE(bodies[i].length, at);
    at += 4;
    at += bodies[i].copy(frame, at);
    if (!result && tags[i] & ItemFlags.META) {
      const meta = metas?.[i] ?? EMPTY;
      frame.writeUInt32LE(meta.length, at);
      at += 4;
      at += meta.copy(frame, at);
    }
  }
  return frame;
}

/** Decodes the body of a BATCH or RESULT frame. Item bodies are views into `body`, not copies. */
export function decodeItems(kind: number, body: Buffer): DecodedBatch {
  const result = kind === FrameKind.RESULT;
  const batchId = body.readUInt32LE(0);
  const count = body.readUInt32LE(4);
  const tags = new Array<number>(count);
  const bodies = new Array<Buffer>(count);
  let metas: Array<Buffer | undefined> | undefined;
  let at = BATCH_HEAD;
  const slice = (): Buffer => {
    const length = body.readUInt32LE(at);
    at += 4;
    if (at + length > body.length) throw new RangeError('frame item runs past the end of its frame');
    at += length;
    return body.subarray(at - length, at);
  };
  for (let i = 0; i < count; i++) {
    tags[i] = body.readUInt16LE(at);
    at += 2;
    bodies[i] = slice();
    if (!result && tags[i] & ItemFlags.META) (metas ??= new Array(count))[i] = slice();
  }
  return metas ? { batchId, tags, bodies, metas } : { batchId, tags, bodies };
}

/**
 * Reassembles frames from a byte stream split anywhere. Chunks of a large frame are kept in a list
 * and joined once, so a big payload arriving in many chunks costs one copy, not one per chunk.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly onFrame: (kind: number, body: Buffer) => void) {}

  push(chunk: Buffer): void {
    if (this.buffered > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      if (!this.hasWholeFrame()) return;
      chunk = Buffer.concat(this.chunks, this.buffered);
      this.chunks = [];
      this.buffered = 0;
    }
    let at = 0;
    while (chunk.length - at >= 4) {
      const length = chunk.readUInt32LE(at);
      if (length < 1 || length > MAX_FRAME) throw new RangeError(`bad frame length ${length}`);
      if (chunk.length - at - 4 < length) break;
      this.onFrame(chunk[at + 4], chunk.subarray(at + HEADER, at + 4 + length));
      at += 4 + length;
    }
    if (at < chunk.length) {
      this.chunks.push(chunk.subarray(at));
      this.buffered = chunk.length - at;
    }
  }

  private hasWholeFrame(): boolean {
    if (this.buffered < 4) return false;
    const head = this.chunks[0].length >= 4 ? this.chunks[0] : Buffer.concat(this.chunks, this.buffered);
    return this.buffered >= 4 + head.readUInt32LE(0);
  }
}
