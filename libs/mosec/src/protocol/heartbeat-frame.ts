import { encodeWords, FrameKind } from './frame';

/** How often a ready worker says it is alive. */
export const HEARTBEAT_INTERVAL_MS = 1000;

export interface Heartbeat {
  /** The batch being run (0: none). */
  batchId: number;
  /** Items of that batch done. */
  done: number;
  /** Milliseconds the worker's event loop has not turned (a long synchronous `forward`, a spin). */
  loopSilentMs: number;
}

/**
 * A HEARTBEAT frame, sent by a thread of the worker's own on a channel of its own, so that a worker
 * busy in a long synchronous `forward` still sends it, and a stopped or dead one does not. It says how
 * long the worker's event loop has been blocked, and how many items of its current batch are done, so
 * that a stage `timeout` applies to each item of a frame that carries several:
 *
 *   HEARTBEAT body: u32 batchId (0: none running) | u32 items done | u32 ms the event loop has not turned
 */
export function encodeHeartbeat({ batchId, done, loopSilentMs }: Heartbeat): Buffer {
  return encodeWords(FrameKind.HEARTBEAT, [batchId, done, Math.min(0xffffffff, Math.round(loopSilentMs))]);
}

export function decodeHeartbeat(body: Buffer): Heartbeat {
  return { batchId: body.readUInt32LE(0), done: body.readUInt32LE(4), loopSilentMs: body.readUInt32LE(8) };
}
