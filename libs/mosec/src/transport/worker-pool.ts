import { Logger } from '@nestjs/common';
import type { Engine } from '../engine/engine';
import type { StageRuntime } from '../engine/stage-runtime';
import type { ReadyMessage, WorkerSpec } from '../protocol/messages';
import { now } from '../engine/clock';
import { WorkerEvents, WorkerProcess } from './worker-process';

export interface PoolSpec {
  num: number;
  env: Array<Record<string, string>>;
  worker: Omit<WorkerSpec, 'workerId'>;
  /** Milliseconds a ready worker may stay silent before it is killed and replaced. */
  heartbeatTimeout: number;
}

const MAX_RESTART_DELAY_MS = 5000;
const LIVENESS_CHECK_MS = 500;

/** What a pool tells the rest of the service (metrics) about its workers. */
export interface PoolObserver {
  workerReady?(worker: WorkerProcess, message: ReadyMessage): void;
  workerReplaced?(worker: WorkerProcess): void;
}

/**
 * The `num` worker processes of one stage. Startup succeeds when all of them are ready and fails as
 * soon as one exits first. After that, a worker that exits, or that stays silent past the heartbeat
 * timeout (stopped, spinning, blocked), has its tasks answered and is replaced, with a growing delay
 * while replacements keep failing to start (a fork that fails included).
 */
export class WorkerPool implements WorkerEvents {
  private readonly workers = new Map<number, WorkerProcess>();
  private started = false;
  private stopping = false;
  private failedRestarts = 0;
  private startup?: { resolve: () => void; reject: (error: Error) => void };
  private liveness?: NodeJS.Timeout;

  constructor(
    readonly stage: StageRuntime,
    private readonly spec: PoolSpec,
    private readonly engine: Engine,
    private readonly logger: Logger,
    private readonly observer: PoolObserver = {},
  ) {}

  /** Workers that are ready to serve now. */
  liveWorkers(): WorkerProcess[] {
    return [...this.workers.values()].filter((w) => w.ready);
  }

  start(): Promise<void> {
    this.liveness = setInterval(() => this.killSilentWorkers(), LIVENESS_CHECK_MS).unref();
    return new Promise((resolve, reject) => {
      this.startup = { resolve, reject };
      for (let id = 1; id <= this.spec.num; id++) this.spawn(id);
    });
  }

  onProgress(worker: WorkerProcess, batchId: number, done: number): void {
    this.stage.progress(worker, batchId, done);
  }

  private killSilentWorkers(): void {
    const at = now();
    for (const worker of this.workers.values()) {
      if (!worker.ready || worker.exited || worker.killedFor) continue;
      const silent = at - worker.lastHeard;
      if (silent > this.spec.heartbeatTimeout) {
        worker.kill(`silent for ${Math.round(silent)} ms (stopped, or its event loop blocked): no heartbeat`);
      }
    }
  }

  onReady(worker: WorkerProcess, message: ReadyMessage): void {
    this.failedRestarts = 0;
    this.logger.log(`${worker.label} ready (pid ${worker.pid}, warm-up ${message.warmUpMs} ms, ${message.examples} example(s))`);
    this.stage.addWorker(worker);
    this.observer.workerReady?.(worker, message);
    if (!this.started && [...this.workers.values()].every((w) => w.ready)) {
      this.started = true;
      this.startup?.resolve();
    }
  }

  onResult(worker: WorkerProcess, batchId: number, statuses: number[], bodies: Buffer[]): void {
    this.engine.complete(this.stage, worker, batchId, statuses, bodies);
  }

  onStreamEvent(worker: WorkerProcess, batchId: number, index: number, data: Buffer): void {
    this.engine.streamEvent(this.stage, worker, batchId, index, data);
  }

  onExit(worker: WorkerProcess, code: number | null, signal: NodeJS.Signals | null): void {
    this.engine.workerLost(this.stage, worker);
    if (this.workers.get(worker.workerId) === worker) this.workers.delete(worker.workerId);
    if (this.stopping) return;
    const how = worker.fatal ? `failed: ${worker.fatal}` : `exited (${signal ?? `code ${code}`})`;
    if (!this.started) {
      this.stopping = true;
      const why = worker.fatal ?? `its worker exited (${signal ?? `code ${code}`}) before it was ready`;
      this.startup?.reject(new Error(`stage ${this.stage.name} (worker ${worker.workerId}) failed to start: ${why}`));
      return;
    }
    if (!worker.wasReady && !worker.killedFor) this.failedRestarts++;
    const delay = Math.min(MAX_RESTART_DELAY_MS, this.failedRestarts === 0 ? 0 : 100 * 2 ** this.failedRestarts);
    this.logger.warn(`${worker.label} ${worker.killedFor ? 'was killed' : how}; replacing it${delay ? ` in ${delay} ms` : ''}`);
    this.observer.workerReplaced?.(worker);
    setTimeout(() => this.stopping || this.spawn(worker.workerId), delay).unref();
  }

  /** Asks every worker to exit and waits for them (killing those that take longer than `graceMs`). */
  async stop(graceMs = 3000): Promise<void> {
    this.stopping = true;
    clearInterval(this.liveness);
    const alive = [...this.workers.values()].filter((w) => !w.exited);
    await Promise.all(alive.map((w) => w.stopAndWait(graceMs)));
  }

  private spawn(workerId: number): void {
    const worker = new WorkerProcess(
      this.stage,
      workerId,
      this.spec.worker,
      this.spec.env[workerId - 1] ?? {},
      this,
      this.logger,
    );
    this.workers.set(workerId, worker);
    worker.start();
    if (worker.pid) this.logger.log(`${worker.label} spawned (pid ${worker.pid})`);
  }
}
