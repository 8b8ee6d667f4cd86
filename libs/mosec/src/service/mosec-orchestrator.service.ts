import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  Optional,
  Type,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Engine } from '../engine/engine';
import type { StageRuntime } from '../engine/stage-runtime';
import { GatewayBackend, PipelineGateway } from '../gateway/pipeline-gateway';
import { PipelineRoute, pipelineRoute } from '../gateway/pipeline-route';
import { SharedPayloads } from '../ipc/shared-payloads';
import type { ServiceMetrics } from '../metrics/service-metrics';
import type { WorkerMetrics } from '../metrics/worker-metrics';
import { WorkerPool } from '../transport/worker-pool';
import type { WorkerProcess } from '../transport/worker-process';
import { Daemons } from './daemons';
import { dryRun } from './dry-run';
import { MosecConfig } from '../config/mosec-config';
import { MosecExplorer } from '../plan/mosec-explorer.service';
import type { StagePlan } from '../plan/pipeline-plan';

type Phase = 'created' | 'starting' | 'serving' | 'draining' | 'stopped';

/**
 * Owns the worker processes and the engine between them, on Nest's lifecycle: the workers start in
 * `onApplicationBootstrap` (the application is ready, and listens, once every stage has its workers
 * warm, as mosec's barrier; a stage that cannot start fails the bootstrap, naming it), in-flight
 * requests are drained in `beforeApplicationShutdown` (new ones get 503), and the workers stop in
 * `onApplicationShutdown`. Signals are the application's (`app.enableShutdownHooks()`).
 */
@Injectable()
export class MosecOrchestrator implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown, GatewayBackend {
  private readonly logger = new Logger('Mosec');
  readonly engine: Engine;
  readonly metrics?: ServiceMetrics;
  /** What the transports (HTTP, the pipeline clients) reach the pipelines through. */
  readonly gateway: PipelineGateway;
  private readonly workerMetrics?: WorkerMetrics;
  private readonly stages = new Map<StagePlan, StageRuntime>();
  private readonly routes = new Map<Type<unknown>, PipelineRoute>();
  private readonly pools: WorkerPool[] = [];
  private readonly daemons: Daemons;
  /** Where large results wait between stages, unless they go through this process. */
  private readonly shared?: SharedPayloads;
  private phase: Phase = 'created';
  private stopped?: Promise<void>;

  constructor(
    private readonly config: MosecConfig,
    private readonly explorer: MosecExplorer,
    @Optional() @Inject(HttpAdapterHost) private readonly adapterHost?: HttpAdapterHost,
  ) {
    Logger.overrideLogger(config.nestLogLevels);
    if (config.metrics) {
      // Loaded here, with metrics on: worker processes load this file too (through the library's entry),
      // and would otherwise load prom-client and OpenTelemetry's API for nothing.
      const { ServiceMetrics } = require('../metrics/service-metrics') as typeof import('../metrics/service-metrics');
      const { WorkerMetrics } = require('../metrics/worker-metrics') as typeof import('../metrics/worker-metrics');
      this.metrics = new ServiceMetrics(config.namespace, config.timeout, this);
      this.workerMetrics = new WorkerMetrics();
    }
    this.shared = SharedPayloads.open(config.ipc, config.ipcThreshold, config.timeout, this.logger);
    this.engine = new Engine({ timeout: config.timeout, capacity: config.capacity, shared: this.shared, quarantine: config.quarantine }, {
      onTaskDone: this.metrics && ((task, status) => this.metrics!.onTaskDone(task, status)),
      onBatchDone: this.metrics && ((stage, batch) => this.metrics!.onBatchDone(stage, batch)),
      onWrongBatchSize: (stage, batch, got) =>
        this.logger.error(`${stage.name}: worker returned ${got} results for a batch of ${batch.tasks.length}; the batch failed`),
      onQuarantined: (stage, ms) =>
        this.logger.warn(`${stage.name}: a request crashed its workers twice: answered 500, and the same request is refused for ${Math.ceil(ms / 1000)} s (quarantine)`),
    });
    this.daemons = new Daemons(config.daemons, this.logger, (why) => void this.daemonExited(why));
    for (const plan of explorer.plans) {
      const route = pipelineRoute(plan, plan.stages.map((stage) => this.stageOf(stage)), {
        forbidUnknown: config.forbidUnknown,
        shape: config.bodyShape,
        warn: (message) => this.logger.warn(message),
      });
      this.routes.set(plan.module, { ...route, sharedAnswers: this.shared?.storesAnswers });
    }
    this.gateway = new PipelineGateway(this, config);
    this.metrics?.countBytesInFlight(() => this.gateway.admission.bytesInFlight);
  }

  /** Taking requests: started, not draining. A stage whose worker is being replaced queues them meanwhile. */
  get accepting(): boolean {
    return this.phase === 'serving';
  }

  /** What the readiness check says: taking requests, with at least one live worker in every stage. */
  get ready(): boolean {
    if (!this.accepting) return false;
    for (const stage of this.stages.values()) if (stage.workerCount === 0) return false;
    return true;
  }

  /** The most worker processes the service runs (each stage's `num`, or `max` for an elastic one). */
  get workerCount(): number {
    return [...this.stages.keys()].reduce((sum, stage) => sum + stage.max, 0);
  }

  get draining(): boolean {
    return this.phase === 'draining' || this.phase === 'stopped';
  }

  /** Tasks accepted and not answered yet (for the metrics). */
  get activeTasks(): number {
    return this.engine.activeTasks;
  }

  get stageRuntimes(): Iterable<StageRuntime> {
    return this.stages.values();
  }

  /** The route of a served `@Pipeline` class. */
  route(pipeline: Type<unknown>): PipelineRoute {
    const route = this.routes.get(pipeline);
    if (!route) throw new Error(`${pipeline.name} is not served: list it in MosecModule.forRoot({ pipelines })`);
    return route;
  }

  /** Told of every answer a pipeline gives, whoever gave it (engine, validation, 413, 429, 503, a guard). */
  answered(status: number, path: string): void {
    this.metrics?.answered(status, path);
  }

  liveWorkers(): WorkerProcess[] {
    return this.pools.flatMap((pool) => pool.liveWorkers());
  }

  /** The worker pools, one a stage (for MosecAdmin). */
  get workerPools(): readonly WorkerPool[] {
    return this.pools;
  }

  /** The service's metrics and the workers' own, in Prometheus text. */
  metricsText(): Promise<{ type: string; text: string }> | undefined {
    return this.metrics && this.allMetricsText(this.metrics, this.workerMetrics!);
  }

  private async allMetricsText(metrics: ServiceMetrics, workerMetrics: WorkerMetrics): Promise<{ type: string; text: string }> {
    const registry = metrics.registry;
    const [own, theirs] = await Promise.all([registry.metrics(), workerMetrics.text(this.liveWorkers())]);
    return { type: registry.contentType, text: theirs ? `${own}\n${theirs}` : own };
  }

  async onApplicationBootstrap(): Promise<void> {
    this.phase = 'starting';
    const dryRunExamples = new Map<StageRuntime, Buffer[]>();
    for (const [plan, stage] of this.stages) this.pools.push(this.createPool(plan, stage, dryRunExamples));
    try {
      // The daemons first, as mosec: a stage may use one as it warms up; one that exits meanwhile fails the start.
      await this.daemons.start();
      // After the daemons: the Redis that holds shared payloads may be one of them.
      await this.shared?.check();
      await this.daemons.whileRunning(Promise.all(this.pools.map((pool) => pool.start())));
    } catch (error) {
      await this.stopWorkers();
      throw startupError(error);
    }
    if (this.config.dryRun) return this.finishDryRun(dryRunExamples);
    this.phase = 'serving';
    this.logger.log(`${this.liveWorkers().length} worker(s) ready; serving ${this.explorer.plans.map((p) => `POST ${p.path}`).join(', ')}`);
    if (this.shared && [...this.stages.values()].some((stage) => stage.policy.readsShared)) this.logger.log(this.shared.describe());
  }

  /** Stops taking requests (503) and lets the ones in flight finish, up to the shutdown timeout. */
  async beforeApplicationShutdown(signal?: string): Promise<void> {
    if (this.phase !== 'serving' && this.phase !== 'starting') return;
    this.phase = 'draining';
    const inFlight = this.engine.activeTasks;
    this.logger.log(`${signal ?? 'shutdown'}: draining ${inFlight} in-flight request(s), for up to ${this.config.shutdownTimeout} ms`);
    const stopWatching = watchRepeatedSignals(this.logger);
    const deadline = Date.now() + this.config.shutdownTimeout;
    try {
      while (this.engine.activeTasks > 0 && Date.now() < deadline) await sleep(10);
    } finally {
      stopWatching();
    }
    const left = this.engine.activeTasks;
    this.logger.log(`drained ${inFlight - Math.min(left, inFlight)} request(s)${left ? `, ${left} left unanswered at the timeout` : ''}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stopWorkers();
  }

  private createPool(plan: StagePlan, stage: StageRuntime, dryRunExamples: Map<StageRuntime, Buffer[]>): WorkerPool {
    const worker = {
      pipelineFile: plan.pipelineFile,
      pipelineName: plan.pipelineName,
      pipelinePath: plan.pipelinePath,
      stageIndex: plan.stageIndex,
      stageName: plan.name,
      maxBatchSize: plan.maxBatchSize,
      logLevels: this.config.nestLogLevels,
      logJson: this.config.logFormat === 'json',
      dryRun: this.config.dryRun,
      shared: this.shared?.spec,
    };
    const { heartbeatTimeout, scaleDownAfter, dryRun } = this.config;
    const range = dryRun ? { num: 1, min: 1, max: 1 } : { num: plan.num, min: plan.min, max: plan.max };
    const timing = { heartbeatTimeout, scaleDownAfter, serviceTimeout: this.config.timeout };
    return new WorkerPool(stage, { ...range, env: plan.env, worker, ...timing }, this.engine, this.logger, {
      workerReady: (process, ready) => {
        this.metrics?.workerReady(process.stage.name, process.label, ready.warmUpMs);
        if (ready.requests) dryRunExamples.set(stage, ready.requests.map((text) => Buffer.from(text, 'base64')));
      },
      workerReplaced: (process) => this.metrics?.workerReplaced(process.stage.name),
      workerGone: (process) => this.shared?.sweep(process.sharedPrefix),
    });
  }

  /**
   * A dry run pushes the first stages' examples through each pipeline and ends the service: a failure
   * fails the bootstrap, naming the stage; a pass stops the workers and closes the HTTP server as soon
   * as it listens, so the process ends (0) once nothing else holds it.
   */
  private async finishDryRun(examples: Map<StageRuntime, Buffer[]>): Promise<void> {
    const passed = await dryRun(this.engine, [...this.routes.values()], examples, this.logger);
    this.phase = 'stopped';
    await this.stopWorkers();
    if (!passed) throw startupError(new Error('dry run failed'));
    this.logger.log('dry run passed');
    const host = this.adapterHost;
    if (host?.httpAdapter) {
      const subscription = host.listen$.subscribe(() => {
        subscription.unsubscribe();
        void host.httpAdapter.close();
      });
    }
  }

  /** Stops the workers, then the daemons, which the workers may use until they are gone. */
  private stopWorkers(): Promise<void> {
    this.stopped ??= (async () => {
      this.phase = 'stopped';
      await Promise.all(this.pools.map((pool) => pool.stop()));
      for (const stage of this.stages.values()) stage.close();
      this.engine.close();
      await this.shared?.close();
      await this.daemons.stop();
    })();
    return this.stopped;
  }

  /**
   * A daemon exited while the service serves: the service stops, as mosec's does. It ends as a dry run
   * does, without `process.exit`: it drains, stops its workers and the other daemons, closes the HTTP
   * server and leaves exit code 1, so the process ends once nothing else holds it.
   */
  private async daemonExited(why: string): Promise<void> {
    if (this.phase === 'draining') this.logger.warn(`${why} during the shutdown`);
    if (this.phase !== 'serving') return; // while starting, the start fails with it
    this.logger.error(`${why} while serving: stopping the service (exit code 1)`);
    process.exitCode = 1;
    try {
      await this.beforeApplicationShutdown(why);
      await this.stopWorkers();
      await this.adapterHost?.httpAdapter?.close();
    } catch (error) {
      this.logger.error(`stopping after ${why}: ${(error as Error)?.message ?? error}`);
    }
  }

  private stageOf(plan: StagePlan): StageRuntime {
    let stage = this.stages.get(plan);
    if (!stage) {
      // Its workers read shared payloads unless the HTTP process must weigh its items (`batchCost`).
      stage = this.engine.createStage(plan.name, { ...plan, readsShared: this.shared !== undefined && !plan.batchCost });
      this.stages.set(plan, stage);
    }
    return stage;
  }
}

/**
 * Says, during a drain, that a repeated SIGTERM or SIGINT changes nothing (the application's shutdown
 * hooks ignore it) and how to stop at once. Only watched where the application handles the signal:
 * a listener of ours alone would keep the signal from ending the process.
 */
function watchRepeatedSignals(logger: Logger): () => void {
  const force = process.listenerCount('SIGQUIT') === 0 ? 'SIGQUIT (Ctrl-\\) or SIGKILL' : 'SIGKILL';
  const watched = (['SIGTERM', 'SIGINT'] as const).filter((signal) => process.listenerCount(signal) > 0);
  const listeners = watched.map((signal) => {
    const listener = () => logger.warn(`${signal} again: ignored while draining; ${force} stops the service at once`);
    process.on(signal, listener);
    return () => process.off(signal, listener);
  });
  return () => listeners.forEach((remove) => remove());
}

/** The error a failed start throws out of `app.init()`/`app.listen()`: the stage and what it said, no library stack. */
function startupError(error: unknown): Error {
  const failure = new Error(`MosecModule could not start: ${(error as Error)?.message ?? error}`);
  failure.name = 'MosecStartupError';
  failure.stack = `${failure.name}: ${failure.message}`;
  return failure;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
