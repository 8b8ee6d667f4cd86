import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type { Server } from 'node:http';
import { Engine } from '../engine/engine';
import type { StageRuntime } from '../engine/stage-runtime';
import { HttpRoute, httpRoute } from '../http/http-route';
import { registerRoutes, ServiceState } from '../http/routes';
import { WorkerPool } from '../transport/worker-pool';
import { registerMetricsRoute } from '../metrics/metrics-route';
import { ServiceMetrics } from '../metrics/service-metrics';
import { WorkerMetrics } from '../metrics/worker-metrics';
import { dryRun } from './dry-run';
import { MosecConfig } from './mosec-config';
import { PipelinePlan, planPipelines, StagePlan } from './pipeline-plan';

/**
 * The service in the HTTP process: it plans the pipelines, registers their routes, starts the
 * workers, and on SIGTERM/SIGINT drains in-flight requests, stops the workers and exits 0.
 */
@Injectable()
export class MosecRuntime implements ServiceState, OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Mosec');
  readonly engine: Engine;
  readonly plans: PipelinePlan[];
  readonly routes: HttpRoute[];
  readonly pools: WorkerPool[] = [];
  private readonly stages = new Map<StagePlan, StageRuntime>();
  private readonly metrics?: ServiceMetrics;
  private readonly workerMetrics = new WorkerMetrics();
  private started = false;
  draining = false;
  private stopped?: Promise<void>;

  constructor(
    private readonly config: MosecConfig,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
  ) {
    this.metrics = config.metrics ? new ServiceMetrics(config.namespace, config.timeout, this) : undefined;
    this.engine = new Engine({ timeout: config.timeout, capacity: config.capacity }, {
      onTaskDone: this.metrics && ((task, status) => this.metrics!.onTaskDone(task, status)),
      onBatchDone: this.metrics && ((stage, batch) => this.metrics!.onBatchDone(stage, batch)),
      onWrongBatchSize: (stage, batch, got) =>
        this.logger.error(`${stage.name}: worker returned ${got} results for a batch of ${batch.tasks.length}; the batch failed`),
    });
    Logger.overrideLogger(config.nestLogLevels);
    this.plans = planPipelines(config.pipelines);
    this.routes = this.plans.map((plan) => httpRoute(plan, plan.stages.map((stage) => this.stageOf(stage)), config.forbidUnknown));
  }

  /** For the metrics: tasks in the service and the stages. */
  get activeTasks(): number {
    return this.engine.activeTasks;
  }

  get stageRuntimes(): Iterable<StageRuntime> {
    return this.stages.values();
  }

  onAnswer(status: number, path: string): void {
    this.metrics?.answered(status, path);
  }

  get ready(): boolean {
    return this.started && !this.draining;
  }

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (!adapter || adapter.getType() !== 'fastify') {
      throw new Error('MosecModule needs the Fastify adapter: NestFactory.create(AppModule, new FastifyAdapter())');
    }
    const fastify = adapter.getInstance<FastifyInstance>();
    registerRoutes(fastify, this, this.config.maxRequestSize);
    fastify.addHook('onListen', async () => {
      const where = fastify.server.address();
      const url = where && typeof where === 'object' ? `http://${where.address}:${where.port}` : String(where);
      const warming = this.started ? '' : ' (503 until the workers are warm)';
      this.logger.log(`listening on ${url}${warming}: ${this.plans.map((p) => `POST ${p.path}`).join(', ')}, GET /${this.metrics ? ', GET /metrics' : ''}`);
    });
    if (this.metrics) {
      registerMetricsRoute(fastify, this.metrics, this.workerMetrics, () => this.pools.flatMap((pool) => pool.liveWorkers()));
    }
  }

  onApplicationBootstrap(): void {
    process.once('SIGTERM', () => void this.shutdown('SIGTERM'));
    process.once('SIGINT', () => void this.shutdown('SIGINT'));
    this.startWorkers().catch((error: Error) => {
      this.logger.error(`startup failed: ${error.message}`);
      void this.stopWorkers().finally(() => process.exit(1));
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stopWorkers();
  }

  /** Stops taking requests, lets in-flight ones finish (up to the shutdown timeout), then exits 0. */
  async shutdown(signal: string): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    const inFlight = this.engine.activeTasks;
    this.logger.log(`${signal}: draining ${inFlight} in-flight request(s)`);
    const deadline = Date.now() + this.config.shutdownTimeout;
    while (this.engine.activeTasks > 0 && Date.now() < deadline) await sleep(10);
    const left = this.engine.activeTasks;
    this.logger.log(`drained ${inFlight - left} request(s)${left ? `, ${left} left unanswered at the timeout` : ''}`);
    await this.stopWorkers();
    await this.closeHttp();
    process.exit(0);
  }

  /**
   * Closes the HTTP server. A keep-alive connection whose request was still being answered when the
   * close began (a Prometheus scrape, say) stays open after it, and would hold the close, and the
   * process, until its client lets go: after a second it is cut, as the pipelines are drained by then.
   */
  private async closeHttp(): Promise<void> {
    const adapter = this.adapterHost.httpAdapter;
    const closed = adapter.close();
    if ((await Promise.race([closed.then(() => true), sleep(1000).then(() => false)])) === false) {
      (adapter.getHttpServer() as Server).closeAllConnections();
      await closed;
    }
  }

  private async startWorkers(): Promise<void> {
    const dryRunExamples = new Map<StageRuntime, Buffer[]>();
    for (const [plan, stage] of this.stages) {
      const pool = new WorkerPool(
        stage,
        {
          num: this.config.dryRun ? 1 : plan.num,
          env: plan.env,
          worker: {
            moduleFile: plan.moduleFile,
            exportName: plan.exportName,
            stageIndex: plan.stageIndex,
            stageName: plan.name,
            maxBatchSize: plan.maxBatchSize,
            logLevels: this.config.nestLogLevels,
            logJson: this.config.logFormat === 'json',
            dryRun: this.config.dryRun,
          },
        },
        this.engine,
        this.logger,
        {
          workerReady: (worker, ready) => {
            this.metrics?.workerReady(worker.stage.name, worker.label, ready.warmUpMs);
            if (ready.requests) dryRunExamples.set(stage, ready.requests.map((text) => Buffer.from(text, 'base64')));
          },
          workerReplaced: (worker) => this.metrics?.workerReplaced(worker.stage.name),
        },
      );
      this.pools.push(pool);
    }
    await Promise.all(this.pools.map((pool) => pool.start()));
    if (this.config.dryRun) {
      const passed = await dryRun(this.engine, this.routes, dryRunExamples, this.logger);
      await this.stopWorkers();
      this.logger.log(`dry run ${passed ? 'passed' : 'failed'}`);
      process.exit(passed ? 0 : 1);
    }
    this.started = true;
    const workers = [...this.stages.keys()].reduce((n, s) => n + s.num, 0);
    this.logger.log(`${workers} worker(s) ready; serving ${this.plans.map((p) => `POST ${p.path}`).join(', ')}`);
  }

  private stopWorkers(): Promise<void> {
    this.stopped ??= (async () => {
      await Promise.all(this.pools.map((pool) => pool.stop()));
      for (const stage of this.stages.values()) stage.close();
      this.engine.close();
    })();
    return this.stopped;
  }

  private stageOf(plan: StagePlan): StageRuntime {
    let stage = this.stages.get(plan);
    if (!stage) {
      stage = this.engine.createStage(plan.name, plan);
      this.stages.set(plan, stage);
    }
    return stage;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
