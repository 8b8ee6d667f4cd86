import { encodeWords, FrameKind } from './frame';

/**
 * A CANCEL frame, HTTP process → worker: the task of one item of a batch the worker was sent has
 * been answered without it (its client left, its time ran out), so nothing the worker makes for it
 * will be read. A stream worker's `sendStreamEvent` for that item stops its `forward` at the next
 * event (or drops the event, while other items of the batch still have clients); an item of a frame
 * not started yet is skipped. A cancel for a batch already finished is ignored.
 *
 *   CANCEL body: u32 batchId | u32 index (the item's position in the BATCH frame)
 */
export function encodeCancel(batchId: number, index: number): Buffer {
  return encodeWords(FrameKind.CANCEL, [batchId, index]);
}

export function decodeCancel(body: Buffer): { batchId: number; index: number } {
  return { batchId: body.readUInt32LE(0), index: body.readUInt32LE(4) };
}
