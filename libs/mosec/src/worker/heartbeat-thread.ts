/**
 * The thread that sends a worker's heartbeats (see protocol/heartbeat-frame.ts). It runs beside the
 * worker's event loop, so a long synchronous `forward` does not silence it; the loop bumps a shared
 * counter, and the thread reports how long that counter has not moved.
 */
import { writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { encodeHeartbeat, HEARTBEAT_INTERVAL_MS } from '../protocol/heartbeat-frame';
import { HeartbeatState, TICKS, BATCH, DONE } from './heartbeat-state';

if (parentPort) {
  const { state, fd } = workerData as { state: SharedArrayBuffer; fd: number };
  const cells: HeartbeatState = new Uint32Array(state);
  let ticks = -1;
  let turnedAt = performance.now();
  setInterval(() => {
    const at = performance.now();
    const seen = Atomics.load(cells, TICKS);
    if (seen !== ticks) {
      ticks = seen;
      turnedAt = at;
    }
    const beat = encodeHeartbeat({ batchId: Atomics.load(cells, BATCH), done: Atomics.load(cells, DONE), loopSilentMs: at - turnedAt });
    try {
      writeSync(fd, beat);
    } catch {
      // The HTTP process is gone or not reading: the worker leaves by its own channel closing.
    }
  }, HEARTBEAT_INTERVAL_MS);
}
