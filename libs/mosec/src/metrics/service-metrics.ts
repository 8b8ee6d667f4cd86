import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { now } from '../engine/clock';
import { CLIENT_GONE, EngineListener } from '../engine/engine';
import type { Batch } from '../engine/batch';
import type { StageRuntime } from '../engine/stage-runtime';
import type { Task } from '../engine/task';
import { Priority, PRIORITY_NAMES } from '../engine/task-queue';

/** What the metrics read from the service when scraped. */
export interface MetricsSource {
  readonly activeTasks: number;
  readonly stageRuntimes: Iterable<StageRuntime>;
}


/**
 * mosec's metric set (same names and labels) plus queue depth, worker restarts, dropped tasks and
 * warm-up time. Observations are per batch where they can be; per request there is one counter
 * increment (from the route's onResponse hook, so answers given before a task exists count too)
 * and, for a 200, one histogram observation, through cached label children.
 */
export class ServiceMetrics implements EngineListener {
  readonly registry = new Registry();
  private readonly throughput: Counter<'code' | 'endpoint'>;
  private readonly processDuration: Histogram<'stage' | 'connection'>;
  private readonly batchSize: Histogram<'stage' | 'connection'>;
  private readonly batchDuration: Histogram<'stage' | 'connection'>;
  private readonly restarts: Counter<'stage'>;
  private readonly dropped: Counter<'endpoint'>;
  private readonly sentAhead: Counter<'stage'>;
  private readonly warmUp: Gauge<'stage' | 'connection'>;
  private readonly totalDuration: ReturnType<Histogram<'stage' | 'connection'>['labels']>;
  private readonly durationByPriority: Array<ReturnType<Histogram<'priority'>['labels']>>;
  private readonly throughputByKey = new Map<string, ReturnType<Counter<'code' | 'endpoint'>['labels']>>();

  constructor(
    private readonly namespace: string,
    timeoutMs: number,
    source: MetricsSource,
  ) {
    const registers = [this.registry];
    // 1 ms doubling up to the service timeout, as mosec.
    const durationBuckets = exponential(1e-3, Math.ceil(Math.log2(Math.max(2, timeoutMs))) + 1);
    this.throughput = new Counter({ name: `${namespace}_throughput`, help: 'service inference endpoint throughput', labelNames: ['code', 'endpoint'], registers });
    this.processDuration = new Histogram({
      name: `${namespace}_process_duration_second`,
      help: 'process duration for each connection in each stage (IPC included); stage "total" is end to end for 200s',
      labelNames: ['stage', 'connection'],
      buckets: durationBuckets,
      registers,
    });
    this.batchSize = new Histogram({ name: `${namespace}_batch_size`, help: 'batch size for each connection in each stage', labelNames: ['stage', 'connection'], buckets: exponential(1, 11, 2), registers });
    this.batchDuration = new Histogram({
      name: `${namespace}_batch_duration_second`,
      help: 'time from the first item of a batch to its dispatch, for each connection in each stage',
      labelNames: ['stage', 'connection'],
      buckets: exponential(1e-3, 13),
      registers,
    });
    new Gauge({
      name: `${namespace}_remaining_task`,
      help: 'tasks in the service (queued or running)',
      registers,
      collect() {
        this.set(source.activeTasks);
      },
    });
    new Gauge({
      name: `${namespace}_queue_depth`,
      help: 'tasks waiting in each stage queue',
      labelNames: ['stage'],
      registers,
      collect() {
        for (const stage of source.stageRuntimes) this.set({ stage: stage.name }, stage.queued);
      },
    });
    new Gauge({
      name: `${namespace}_priority_queue_depth`,
      help: 'tasks waiting in each stage queue, by priority',
      labelNames: ['stage', 'priority'],
      registers,
      collect() {
        for (const stage of source.stageRuntimes) {
          stage.queue.byLevel.forEach((count, level) => this.set({ stage: stage.name, priority: PRIORITY_NAMES[level] }, count));
        }
      },
    });
    new Gauge({
      name: `${namespace}_workers`,
      help: 'workers of each stage taking batches',
      labelNames: ['stage'],
      registers,
      collect() {
        for (const stage of source.stageRuntimes) this.set({ stage: stage.name }, stage.workerCount);
      },
    });
    const byPriority = new Histogram({
      name: `${namespace}_priority_duration_second`,
      help: 'end-to-end time of the requests that asked for a high or low priority, answered 200 (normal ones: stage="total")',
      labelNames: ['priority'],
      buckets: durationBuckets,
      registers,
    });
    this.durationByPriority = PRIORITY_NAMES.map((name) => byPriority.labels(name));
    this.restarts = new Counter({ name: `${namespace}_worker_restarts_total`, help: 'workers replaced after they exited or were killed', labelNames: ['stage'], registers });
    this.sentAhead = new Counter({
      name: `${namespace}_batch_sent_ahead_total`,
      help: 'batches a busy worker received before its forward ended, for each stage (they begin with no way in to wait for)',
      labelNames: ['stage'],
      registers,
    });
    this.dropped = new Counter({ name: `${namespace}_dropped_tasks_total`, help: 'tasks dropped because their client went away', labelNames: ['endpoint'], registers });
    this.warmUp = new Gauge({ name: `${namespace}_warmup_duration_second`, help: 'warm-up time of each worker', labelNames: ['stage', 'connection'], registers });
    this.totalDuration = this.processDuration.labels('total', 'total');
    collectDefaultMetrics({ register: this.registry });
  }

  /** The request bytes the HTTP side holds (bodies being read, decoded, or queued until answered), read when scraped. */
  countBytesInFlight(read: () => number): void {
    new Gauge({
      name: `${this.namespace}_inflight_bytes`,
      help: 'request bytes held now (being read or decoded, or waiting for their answer), against maxBytesInFlight',
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  onTaskDone(task: Task, status: number): void {
    if (status === CLIENT_GONE) return void this.dropped.inc({ endpoint: task.route.path });
    if (status !== 200) return;
    const seconds = (now() - task.createdAt) / 1000;
    this.totalDuration.observe(seconds);
    // Not for normal ones, most requests: a second observation each would cost the hot path.
    if (task.priority !== undefined && task.priority !== Priority.NORMAL) this.durationByPriority[task.priority].observe(seconds);
  }

  /** Every answer of a pipeline route, the engine's and those given before a task exists (413, 422, 429, 503). */
  answered(status: number, endpoint: string): void {
    const key = `${status} ${endpoint}`;
    let counter = this.throughputByKey.get(key);
    if (!counter) {
      counter = this.throughput.labels(String(status), endpoint);
      this.throughputByKey.set(key, counter);
    }
    counter.inc();
  }

  onBatchDone(stage: StageRuntime, batch: Batch): void {
    const connection = batch.worker.label;
    const done = now();
    this.processDuration.observe({ stage: stage.name, connection }, (done - batch.dispatchedAt) / 1000);
    if (stage.policy.maxBatchSize > 1) {
      // A batch begins when it is dispatched, unless it was sent ahead to a worker still busy.
      if (batch.startedAt > batch.dispatchedAt) this.sentAhead.inc({ stage: stage.name });
      this.batchSize.observe({ stage: stage.name, connection }, batch.tasks.length);
      this.batchDuration.observe({ stage: stage.name, connection }, Math.max(0, batch.dispatchedAt - batch.tasks[0].enqueuedAt) / 1000);
    }
  }

  workerReady(stage: string, connection: string, warmUpMs: number): void {
    this.warmUp.set({ stage, connection }, warmUpMs / 1000);
  }

  workerReplaced(stage: string): void {
    this.restarts.inc({ stage });
  }
}

function exponential(start: number, count: number, factor = 2): number[] {
  return Array.from({ length: count }, (_, i) => start * factor ** i);
}
