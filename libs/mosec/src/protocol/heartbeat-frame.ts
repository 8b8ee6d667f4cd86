import { FrameKind } from './frame';

const HEADER = 5;
const BODY = 8;

/** How often a ready worker says it is alive. */
export const HEARTBEAT_INTERVAL_MS = 1000;

/**
 * A HEARTBEAT frame, sent from the worker's event loop, which a stopped, spinning or blocked worker
 * cannot send. It also says how many items of its current batch are done, so that a stage `timeout`
 * applies to each item of a frame that carries several:
 *
 *   HEARTBEAT body: u32 batchId (0: none running) | u32 items done
 */
export function encodeHeartbeat(batchId: number, done: number): Buffer {
  const frame = Buffer.allocUnsafe(HEADER + BODY);
  frame.writeUInt32LE(1 + BODY, 0);
  frame[4] = FrameKind.HEARTBEAT;
  frame.writeUInt32LE(batchId, 5);
  frame.writeUInt32LE(done, 9);
  return frame;
}

export function decodeHeartbeat(body: Buffer): { batchId: number; done: number } {
  return { batchId: body.readUInt32LE(0), done: body.readUInt32LE(4) };
}
