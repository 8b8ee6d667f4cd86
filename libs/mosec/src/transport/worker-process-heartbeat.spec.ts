import type { Logger } from '@nestjs/common';
import type { StageRuntime } from '../engine/stage-runtime';
import { now } from '../engine/clock';
import { FrameReader } from '../protocol/frame';
import { encodeHeartbeat } from '../protocol/heartbeat-frame';
import { WorkerEvents, WorkerProcess } from './worker-process';

/**
 * A worker's frames and heartbeats come on two channels, so a heartbeat sent just before a result
 * ("blocked for 8 s") can be read just after it. The order cannot be forced with real processes:
 * the heartbeat is read as its socket's data handler reads it.
 */
describe('WorkerProcess: when its event loop last turned', () => {
  const events: WorkerEvents = { onReady() {}, onResult() {}, onStreamEvent() {}, onProgress() {}, onExit() {} };
  const worker = new WorkerProcess({ name: 'Compute' } as StageRuntime, 1, {} as never, {}, events, {} as Logger);
  const reader = new FrameReader((kind, body) => (worker as unknown as { onFrame(kind: number, body: Buffer): void }).onFrame(kind, body));
  const read = (frame: Buffer) => reader.push(frame);

  it('keeps a later turn seen on the frame channel when an older heartbeat arrives after it', () => {
    const answeredAt = now();
    worker.loopTurnedAt = answeredAt; // a result was just read: the loop turned
    read(encodeHeartbeat({ batchId: 0, done: 0, loopSilentMs: 8000 }));
    expect(worker.loopTurnedAt).toBeGreaterThanOrEqual(answeredAt);
  });

  it('believes a heartbeat that says the loop has been blocked since the last frame', () => {
    worker.loopTurnedAt = now() - 10_000;
    read(encodeHeartbeat({ batchId: 0, done: 0, loopSilentMs: 3000 }));
    expect(now() - worker.loopTurnedAt).toBeGreaterThanOrEqual(3000);
    expect(now() - worker.loopTurnedAt).toBeLessThan(4000);
  });
});
