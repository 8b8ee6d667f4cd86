import { writeSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { encodeHeartbeat, HEARTBEAT_INTERVAL_MS } from '../protocol/heartbeat-frame';
import { HEARTBEAT_FD } from '../transport/worker-fd';

/** What a worker's event loop shares with its heartbeat thread: a tick counter, the batch it runs, the items done. */
export type HeartbeatState = Uint32Array;
export const TICKS = 0;
export const BATCH = 1;
export const DONE = 2;

/** How often the event loop says it turns: well within a heartbeat, so a turning loop is never seen still. */
const TICK_MS = 250;

/** The thread beside the compiled (or, from sources, TypeScript) worker entry. */
const THREAD_ENTRY = join(__dirname, `heartbeat-thread${__filename.endsWith('.ts') ? '.ts' : '.js'}`);

/**
 * Starts the worker's heartbeat thread and its event loop's ticks. The worker tells it which batch it
 * runs and how many of its items are done through `running` and `done`.
 */
export class HeartbeatSender {
  private readonly cells: HeartbeatState = new Uint32Array(new SharedArrayBuffer(3 * 4));

  /**
   * `onError`: the thread failed (it could not load, say); the event loop then sends the heartbeats
   * itself, as a worker without the thread would, and a long synchronous `forward` gets it killed.
   */
  start(onError: (error: Error) => void): void {
    setInterval(() => Atomics.add(this.cells, TICKS, 1), TICK_MS).unref();
    const thread = new Worker(THREAD_ENTRY, {
      workerData: { state: this.cells.buffer, fd: HEARTBEAT_FD },
      // A few timers and writes: the smallest heap V8 takes.
      resourceLimits: { maxOldGenerationSizeMb: 4, maxYoungGenerationSizeMb: 1, codeRangeSizeMb: 1, stackSizeMb: 1 },
      stdout: false,
      stderr: false,
    });
    thread.on('error', (error) => {
      onError(error);
      setInterval(() => {
        const beat = encodeHeartbeat({ batchId: Atomics.load(this.cells, BATCH), done: Atomics.load(this.cells, DONE), loopSilentMs: 0 });
        writeSync(HEARTBEAT_FD, beat);
      }, HEARTBEAT_INTERVAL_MS).unref();
    });
    thread.unref();
  }

  running(batchId: number): void {
    Atomics.store(this.cells, BATCH, batchId);
    Atomics.store(this.cells, DONE, 0);
  }

  done(items: number): void {
    Atomics.store(this.cells, DONE, items);
  }
}
