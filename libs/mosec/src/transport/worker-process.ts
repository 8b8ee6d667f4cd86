import { Logger } from '@nestjs/common';
import { ChildProcess, fork } from 'node:child_process';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import type { Batch, Slot } from '../engine/batch';
import type { StageRuntime } from '../engine/stage-runtime';
import { itemFlags } from '../engine/task';
import { encodeIpc } from '../protocol/codecs';
import { ItemFlags } from '../protocol/item-flags';
import { pickHeaders } from '../protocol/request-headers';
import type { FatalMessage, MetricsReport, ReadyMessage, WorkerSpec } from '../protocol/messages';
import { WORKER_SPEC_ENV } from '../protocol/messages';
import { forkOptionsForParentDeath } from './parent-death';
import { HEARTBEAT_FD, WORKER_SOCKET_FD } from './worker-fd';
import { workerExecArgv } from './worker-exec-argv';
import { decodeControl, decodeItems, encodeControl, encodeItems, FrameKind, FrameReader } from '../protocol/frame';
import { decodeHeartbeat } from '../protocol/heartbeat-frame';
import { decodeStreamEvent } from '../protocol/stream-frame';
import { encodeCancel } from '../protocol/cancel-frame';
import { now } from '../engine/clock';

/** The compiled worker entry beside this file (`.ts` when run from sources under a TS loader). */
const CHILD_ENTRY = join(__dirname, '..', 'worker', `child-main${__filename.endsWith('.ts') ? '.ts' : '.js'}`);

export interface WorkerEvents {
  onReady(worker: WorkerProcess, message: ReadyMessage): void;
  onResult(worker: WorkerProcess, batchId: number, statuses: number[], bodies: Buffer[]): void;
  /** A stage's stream event for item `index` of the batch `batchId`. */
  onStreamEvent(worker: WorkerProcess, batchId: number, index: number, data: Buffer): void;
  /** The worker has finished `done` items of its batch `batchId`. */
  onProgress(worker: WorkerProcess, batchId: number, done: number): void;
  onExit(worker: WorkerProcess, code: number | null, signal: NodeJS.Signals | null): void;
}

let workersForked = 0;

/** One forked worker process, seen from the HTTP process: its socket, its frames, its life. */
export class WorkerProcess implements Slot {
  readonly label: string;
  /** Start of the names of the shared payloads it writes: unique in the service, replacements included. */
  readonly sharedPrefix = `w${++workersForked}`;
  private child?: ChildProcess;
  private socket?: Socket;
  ready = false;
  /** What the worker said when it failed to start, if it did. */
  fatal?: string;
  /** Why we killed it, if we did. */
  killedFor?: string;
  /** Told to leave: its socket closing is expected. */
  private leaving = false;
  /** It reported ready once: its exit is a crash, not a failed start. */
  wasReady = false;
  /** Taken out of its stage (scaling down): it finishes its batch, leaves, and is not replaced. */
  retiring = false;
  /** When the worker last sent anything (monotonic ms). */
  lastHeard = 0;
  /** When its event loop last turned, as its last heartbeat told (monotonic ms, this process's clock). */
  loopTurnedAt = 0;
  private readonly metricsWaiting = new Map<number, (metrics: unknown[]) => void>();
  private nextMetricsId = 1;
  /** A metrics question is out and unanswered: not asked again until it is (a stopped worker never answers). */
  private metricsAsked = false;

  constructor(
    readonly stage: StageRuntime,
    readonly workerId: number,
    private readonly spec: Omit<WorkerSpec, 'workerId'>,
    private readonly env: Record<string, string>,
    private readonly events: WorkerEvents,
    private readonly logger: Logger,
  ) {
    this.label = `${stage.name}#${workerId}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * Forks the worker. A fork that fails (no descriptors left, no memory for a process) is reported as
   * an exit, soon after, like a worker that died at once: the pool retries it, the service goes on.
   */
  start(): void {
    const spec: WorkerSpec = { ...this.spec, workerId: this.workerId, sharedPrefix: this.sharedPrefix };
    const typescript = /\.(c|m)?tsx?$/.test(spec.pipelineFile);
    try {
      // fd 3 is fork's IPC channel (its 'disconnect' tells the worker we are gone); fd 4 carries the frames,
      // fd 5 the heartbeats.
      const env: NodeJS.ProcessEnv = { ...process.env, ...this.env, MOSEC_WORKER_ID: String(this.workerId), [WORKER_SPEC_ENV]: JSON.stringify(spec) };
      // A pipeline loaded from TypeScript requires Nest's ES modules from CommonJS: Node 20 warns each time.
      const execArgv = typescript ? [...process.execArgv, '--disable-warning=ExperimentalWarning'] : process.execArgv;
      this.child = fork(CHILD_ENTRY, [], {
        env,
        stdio: ['ignore', 'inherit', 'inherit', 'ipc', 'pipe', 'pipe'],
        serialization: 'json',
        ...forkOptionsForParentDeath(workerExecArgv(execArgv, env.NODE_OPTIONS)),
      });
    } catch (error) {
      return this.failedToSpawn(error as Error);
    }
    // Before anything else: a fork that fails emits 'error' soon after, and unheard it would end the service.
    let spawnError: Error | undefined;
    this.child.on('error', (error) => {
      spawnError = error;
      if (this.child) this.logger.error(`${this.label}: ${error.message}`);
    });
    const socket = this.child.stdio?.[WORKER_SOCKET_FD] as Socket | undefined;
    if (!this.child.pid || !socket) {
      // The reason comes with the 'error' event, a tick later.
      return void setImmediate(() => this.failedToSpawn(spawnError ?? new Error('fork gave no process')));
    }
    this.child.once('exit', (code, signal) => {
      this.socket?.destroy();
      this.ready = false;
      this.events.onExit(this, code, signal);
    });
    this.socket = socket;
    const reader = new FrameReader((kind, body) => this.onFrame(kind, body));
    socket.on('data', (chunk) => {
      // Written by its event loop: it turns.
      this.lastHeard = this.loopTurnedAt = now();
      try {
        reader.push(chunk);
      } catch (error) {
        this.kill(`sent a malformed frame: ${(error as Error).message}`);
      }
    });
    socket.on('error', () => undefined); // the exit that follows is what counts
    const beats = (this.child.stdio as unknown as Array<Socket | null>)[HEARTBEAT_FD];
    const beatReader = new FrameReader((kind, body) => this.onFrame(kind, body));
    beats?.on('data', (chunk) => {
      this.lastHeard = now();
      try {
        beatReader.push(chunk);
      } catch (error) {
        this.kill(`sent a malformed heartbeat: ${(error as Error).message}`);
      }
    });
    beats?.on('error', () => undefined);
    socket.on('close', () => {
      // A worker that drops its socket cannot serve: make sure it is gone so it gets replaced.
      if (!this.leaving && this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    });
  }

  dispatch(batch: Batch): void {
    const { tasks } = batch;
    const wanted = this.stage.policy.headers;
    const flags = new Array<number>(tasks.length);
    const payloads = new Array<Buffer>(tasks.length);
    const metas = wanted && new Array<Buffer>(tasks.length);
    for (let i = 0; i < tasks.length; i++) {
      flags[i] = itemFlags(tasks[i]);
      payloads[i] = tasks[i].payload;
      if (metas) {
        flags[i] |= ItemFlags.META;
        metas[i] = encodeIpc({ headers: pickHeaders(tasks[i].headers, wanted!) });
      }
    }
    this.socket!.write(encodeItems(FrameKind.BATCH, batch.id, flags, payloads, metas));
  }

  cancel(batchId: number, index: number): void {
    if (this.socket && !this.socket.destroyed) this.socket.write(encodeCancel(batchId, index));
  }

  private failedToSpawn(error: Error): void {
    this.fatal = `could not start a process: ${error.message}`;
    this.child = undefined;
    setImmediate(() => this.events.onExit(this, null, null));
  }

  /** The worker's own prom-client metrics; undefined if it does not answer within `timeoutMs`. */
  requestMetrics(timeoutMs: number): Promise<unknown[] | undefined> {
    // Not asked again while an earlier question is unanswered (a frozen worker would make every scrape wait).
    if (!this.socket || !this.ready || this.metricsAsked) return Promise.resolve(undefined);
    const id = this.nextMetricsId++;
    this.metricsAsked = true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.metricsWaiting.delete(id);
        resolve(undefined);
      }, timeoutMs);
      this.metricsWaiting.set(id, (metrics) => {
        clearTimeout(timer);
        resolve(metrics);
      });
      this.socket!.write(encodeControl(FrameKind.METRICS_REQUEST, { id }));
    });
  }

  kill(reason: string): void {
    this.killedFor = reason;
    this.logger.warn(`${this.label} (pid ${this.pid}) killed: ${reason}`);
    this.child?.kill('SIGKILL');
  }

  /**
   * Tells the worker to leave (it closes when its socket does: workers ignore SIGTERM and SIGINT, so
   * that a signal to the whole process group does not cut a drain) and kills it if it has not left
   * within `graceMs`.
   */
  stopAndWait(graceMs: number): Promise<void> {
    const child = this.child;
    if (!child || this.exited) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.leaving = true;
      this.socket?.end();
    });
  }

  get exited(): boolean {
    return !this.child || this.child.exitCode !== null || this.child.signalCode !== null;
  }

  private onFrame(kind: number, body: Buffer): void {
    switch (kind) {
      case FrameKind.RESULT: {
        const { batchId, tags, bodies } = decodeItems(kind, body);
        return this.events.onResult(this, batchId, tags, bodies);
      }
      case FrameKind.STREAM: {
        const { batchId, index, data } = decodeStreamEvent(body);
        return this.events.onStreamEvent(this, batchId, index, data);
      }
      case FrameKind.HEARTBEAT: {
        const { batchId, done, loopSilentMs } = decodeHeartbeat(body);
        // Sent before a frame that was read first (two channels): the frame's later turn stands.
        this.loopTurnedAt = Math.max(this.loopTurnedAt, now() - loopSilentMs);
        return this.events.onProgress(this, batchId, done);
      }
      case FrameKind.READY:
        this.ready = true;
        this.wasReady = true;
        this.loopTurnedAt = now();
        return this.events.onReady(this, decodeControl<ReadyMessage>(body));
      case FrameKind.FATAL:
        this.fatal = decodeControl<FatalMessage>(body).message;
        return;
      case FrameKind.METRICS: {
        this.metricsAsked = false;
        const report = decodeControl<MetricsReport>(body);
        const waiting = this.metricsWaiting.get(report.id);
        this.metricsWaiting.delete(report.id);
        return waiting?.(report.metrics);
      }
    }
  }
}
