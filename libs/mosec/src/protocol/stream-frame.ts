import { FrameKind } from './frame';

const HEADER = 5;
const STREAM_HEAD = 8;

/**
 * A STREAM frame: a stage's `sendStreamEvent` for one item of the batch its worker is running.
 *
 *   STREAM body: u32 batchId | u32 index (the item's position in the BATCH frame) | UTF-8 text
 */
export function encodeStreamEvent(batchId: number, index: number, text: string): Buffer {
  const length = Buffer.byteLength(text);
  const frame = Buffer.allocUnsafe(HEADER + STREAM_HEAD + length);
  frame.writeUInt32LE(1 + STREAM_HEAD + length, 0);
  frame[4] = FrameKind.STREAM;
  frame.writeUInt32LE(batchId, 5);
  frame.writeUInt32LE(index, 9);
  frame.write(text, HEADER + STREAM_HEAD, 'utf8');
  return frame;
}

/** Decodes the body of a STREAM frame; `data` is a view into `body`. */
export function decodeStreamEvent(body: Buffer): { batchId: number; index: number; data: Buffer } {
  return { batchId: body.readUInt32LE(0), index: body.readUInt32LE(4), data: body.subarray(STREAM_HEAD) };
}
