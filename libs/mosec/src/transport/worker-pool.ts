import { Logger } from '@nestjs/common';
import { Autoscaler } from '../engine/autoscaler';
import { now } from '../engine/clock';
import type { Engine } from '../engine/engine';
import type { StageRuntime } from '../engine/stage-runtime';
import type { ReadyMessage, WorkerSpec } from '../protocol/messages';
import { RestartBackoff } from './restart-backoff';
import { WorkerEvents, WorkerProcess } from './worker-process';

export interface PoolSpec {
  /** Workers at start, and the range an elastic stage moves in (`min` = `max` for a fixed one). */
  num: number;
  min: number;
  max: number;
  env: Array<Record<string, string>>;
  worker: Omit<WorkerSpec, 'workerId'>;
  /** Milliseconds a ready worker may stay silent before it is killed and replaced. */
  heartbeatTimeout: number;
  /** The service timeout: how long a worker's event loop may stay blocked in a batch whose requests still wait. */
  serviceTimeout: number;
  /** Milliseconds an elastic stage's load must fit in one worker fewer before one goes. */
  scaleDownAfter: number;
}

/** Also the scaling tick: how often the pool samples its stage's load. */
const LIVENESS_CHECK_MS = 500;
/** Milliseconds an elastic stage must stay behind before it gets one more worker. */
const SCALE_UP_AFTER_MS = 2000;
/** Longest a `scaleTo` waits for the workers it asked for. */
const SCALE_WAIT_MS = 120_000;

/** What a pool tells the rest of the service (metrics) about its workers. */
export interface PoolObserver {
  workerReady?(worker: WorkerProcess, message: ReadyMessage): void;
  workerReplaced?(worker: WorkerProcess): void;
  /** A worker process has exited (whatever follows). */
  workerGone?(worker: WorkerProcess): void;
}

/**
 * The worker processes of one stage. Startup succeeds when the first `num` are ready and fails as
 * soon as one exits first. After that, a worker that exits, or that stays silent past the heartbeat
 * timeout (stopped, spinning, blocked), has its tasks run again or answered (see Engine.workerLost)
 * and is replaced, with a growing delay while replacements keep failing to start (a fork that fails
 * included) or workers keep dying (see RestartBackoff). An elastic stage's pool
 * adds and retires workers as its Autoscaler (or an operator, `scaleTo`) says: a new worker takes
 * batches once warm, a retired one finishes its batch first, and the processes never outnumber `max`.
 */
export class WorkerPool implements WorkerEvents {
  private readonly workers = new Map<number, WorkerProcess>();
  private started = false;
  private stopping = false;
  private readonly backoff = new RestartBackoff();
  /** No worker is forked to replace another before then (monotonic ms): the latest delay announced ends. */
  private replaceAfter = 0;
  private startup?: { resolve: () => void; reject: (error: Error) => void };
  private tick?: NodeJS.Timeout;
  /** When the workers were last judged (see killSilentWorkers). */
  private lastCheckAt = now();
  /** Workers the stage should run now. */
  private desired: number;
  /** Counts the changes of `desired`: a `scaleTo` overtaken by a later one stops waiting. */
  private targets = 0;
  private readonly autoscaler?: Autoscaler;

  constructor(
    readonly stage: StageRuntime,
    private readonly spec: PoolSpec,
    private readonly engine: Engine,
    private readonly logger: Logger,
    private readonly observer: PoolObserver = {},
  ) {
    this.desired = spec.num;
    if (spec.min < spec.max) {
      const perForward = stage.policy.maxBatchSize;
      this.autoscaler = new Autoscaler({ min: spec.min, max: spec.max, perForward, upAfterMs: SCALE_UP_AFTER_MS, downAfterMs: spec.scaleDownAfter });
    }
  }

  /** Workers that are ready to serve now. */
  liveWorkers(): WorkerProcess[] {
    return [...this.workers.values()].filter((w) => w.ready);
  }

  /** Every worker process of the stage, starting, ready or retiring. */
  allWorkers(): WorkerProcess[] {
    return [...this.workers.values()];
  }

  get range(): { min: number; max: number; desired: number } {
    return { min: this.spec.min, max: this.spec.max, desired: this.desired };
  }

  start(): Promise<void> {
    this.lastCheckAt = now();
    this.tick = setInterval(() => this.onTick(), LIVENESS_CHECK_MS).unref();
    return new Promise((resolve, reject) => {
      this.startup = { resolve, reject };
      for (let id = 1; id <= this.desired; id++) this.spawn(id);
    });
  }

  /**
   * Sets how many workers the stage runs (within `min`..`max`) and resolves once it runs that many,
   * all ready, or once a later call or the autoscaler set another count; an elastic stage's
   * autoscaler goes on from there.
   */
  async scaleTo(count: number, why: string): Promise<void> {
    const { min, max } = this.spec;
    if (!Number.isInteger(count) || count < min || count > max) {
      throw new RangeError(
        min === max
          ? `stage ${this.stage.name} runs a fixed ${max} worker(s): declare @Stage({ num: { min, max } }) to scale it`
          : `stage ${this.stage.name} runs from ${min} to ${max} workers, not ${count}`,
      );
    }
    this.setDesired(count, why);
    const target = this.targets;
    const deadline = now() + SCALE_WAIT_MS;
    // A later decision (another request, the autoscaler) answers this one with the stage as it then is.
    while (!this.settled() && target === this.targets) {
      if (this.stopping || now() > deadline) throw new Error(`stage ${this.stage.name} did not reach ${count} worker(s)`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private setDesired(count: number, why: string): void {
    if (count === this.desired) return;
    this.logger.log(`${this.stage.name}: ${this.desired} → ${count} worker(s) (${why})`);
    this.desired = count;
    this.targets++;
    this.reconcile();
  }

  /** Spawns or retires workers toward `desired`, never holding more than `max` processes. */
  private reconcile(): void {
    if (this.stopping || !this.started) return;
    const active = () => [...this.workers.values()].filter((w) => !w.retiring);
    while (active().length < this.desired && this.workers.size < this.spec.max) this.spawn(this.freeId());
    while (active().length > this.desired) this.retire(this.toRetire(active()));
  }

  /** Not ready yet first (no warm-up wasted on it later), then idle, then the newest. */
  private toRetire(active: WorkerProcess[]): WorkerProcess {
    return (
      active.find((w) => !w.ready) ??
      active.find((w) => w.ready && !this.stage.runningBatch(w)) ??
      active.sort((a, b) => b.workerId - a.workerId)[0]
    );
  }

  private retire(worker: WorkerProcess): void {
    worker.retiring = true;
    if (!worker.ready || this.stage.retire(worker)) void worker.stopAndWait(this.spec.heartbeatTimeout);
  }

  private settled(): boolean {
    const workers = [...this.workers.values()];
    return workers.length === this.desired && workers.every((w) => w.ready && !w.retiring);
  }

  private freeId(): number {
    for (let id = 1; id <= this.spec.max; id++) if (!this.workers.has(id)) return id;
    throw new Error(`stage ${this.stage.name} has no free worker id`);
  }

  private onTick(): void {
    this.killSilentWorkers();
    if (!this.autoscaler || !this.started || this.stopping) return;
    const starting = [...this.workers.values()].filter((w) => !w.ready && !w.retiring).length;
    const sample = this.stage.sampleLoad();
    const change = this.autoscaler.decide(sample, starting, now());
    if (change === 0) return;
    const why =
      change > 0
        ? `queue ${sample.queued} deep, workers ${Math.round(sample.busy * 100)}% busy`
        : `workers ${Math.round(sample.busy * 100)}% busy for ${Math.round(this.spec.scaleDownAfter / 1000)} s`;
    this.setDesired(this.desired + change, why);
  }

  onProgress(worker: WorkerProcess, batchId: number, done: number): void {
    this.stage.progress(worker, batchId, done);
  }

  /**
   * Kills the workers that are silent (stopped, dead: no heartbeat for `heartbeatTimeout`), or whose
   * event loop has been blocked that long outside a batch whose requests may still wait (the service
   * timeout from its start). Silence counts only while this process ran: after it was paused itself
   * (SIGSTOP, a blocked event loop), the pause is not held against the workers.
   */
  private killSilentWorkers(): void {
    const at = now();
    const paused = Math.max(0, at - this.lastCheckAt - 2 * LIVENESS_CHECK_MS);
    this.lastCheckAt = at;
    const { heartbeatTimeout, serviceTimeout } = this.spec;
    for (const worker of this.workers.values()) {
      if (!worker.ready || worker.exited || worker.killedFor) continue;
      worker.lastHeard = Math.min(at, worker.lastHeard + paused);
      worker.loopTurnedAt = Math.min(at, worker.loopTurnedAt + paused);
      const silent = at - worker.lastHeard;
      if (silent > heartbeatTimeout) {
        worker.kill(`silent for ${Math.round(silent)} ms (stopped, or its event loop blocked): no heartbeat`);
        continue;
      }
      const blocked = at - worker.loopTurnedAt;
      const batch = this.stage.runningBatch(worker);
      if (blocked > heartbeatTimeout && !(batch && at - batch.startedAt < serviceTimeout)) {
        const where = batch ? `in a batch begun ${Math.round(at - batch.startedAt)} ms ago, past the service timeout (${serviceTimeout} ms)` : 'outside a batch';
        worker.kill(`its event loop blocked for ${Math.round(blocked)} ms ${where}`);
      }
    }
  }

  onReady(worker: WorkerProcess, message: ReadyMessage): void {
    // Retired while it warmed up (scaled down again): it is leaving, and must get no batch on its way out.
    if (worker.retiring) return;
    this.backoff.started();
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
    // A retiring worker leaves once its last batch is answered.
    if (worker.retiring && this.stage.isRetired(worker)) void worker.stopAndWait(this.spec.heartbeatTimeout);
  }

  onStreamEvent(worker: WorkerProcess, batchId: number, index: number, data: Buffer): void {
    this.engine.streamEvent(this.stage, worker, batchId, index, data);
  }

  onExit(worker: WorkerProcess, code: number | null, signal: NodeJS.Signals | null): void {
    this.engine.workerLost(this.stage, worker, !this.stopping);
    this.observer.workerGone?.(worker);
    if (this.workers.get(worker.workerId) === worker) this.workers.delete(worker.workerId);
    if (this.stopping) return;
    if (worker.retiring) return this.reconcile();
    const how = worker.fatal ? `failed: ${worker.fatal}` : `exited (${signal ?? `code ${code}`})`;
    if (!this.started) {
      this.stopping = true;
      const why = worker.fatal ?? `its worker exited (${signal ?? `code ${code}`}) before it was ready`;
      this.startup?.reject(new Error(`stage ${this.stage.name} (worker ${worker.workerId}) failed to start: ${why}`));
      return;
    }
    const delay = this.backoff.delayAfter(!worker.wasReady && !worker.killedFor, now());
    this.logger.warn(`${worker.label} ${worker.killedFor ? 'was killed' : how}; replacing it${delay ? ` in ${delay} ms` : ''}`);
    this.observer.workerReplaced?.(worker);
    this.replaceAfter = Math.max(this.replaceAfter, now() + delay);
    this.replaceLater(worker.workerId);
  }

  /**
   * Forks the missing workers once the longest delay announced has passed: the timer of an earlier
   * death, shorter, must not replace a worker that died since (and was told to wait longer).
   */
  private replaceLater(workerId: number): void {
    setTimeout(() => {
      if (this.stopping || this.workers.has(workerId)) return;
      if (now() < this.replaceAfter - 1) return this.replaceLater(workerId);
      this.reconcile();
    }, Math.max(0, this.replaceAfter - now())).unref();
  }

  /** Asks every worker to exit and waits for them (killing those that take longer than `graceMs`). */
  async stop(graceMs = 3000): Promise<void> {
    this.stopping = true;
    clearInterval(this.tick);
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
