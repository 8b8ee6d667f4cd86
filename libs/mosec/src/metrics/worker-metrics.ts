import { AggregatorRegistry, MetricObjectWithValues, MetricValue } from 'prom-client';
import type { WorkerProcess } from '../transport/worker-process';

/**
 * The metrics that stage code records with prom-client inside its worker, gathered from every worker
 * at scrape time and merged into one text. Each series gets `stage` and `worker` labels (unless the
 * metric has its own of those names), so series of different workers stay apart; a worker busy in a
 * long `forward` is represented by what it reported last.
 */
export class WorkerMetrics {
  private readonly lastReport = new Map<string, unknown[]>();

  constructor(private readonly timeoutMs = 500) {}

  async text(workers: WorkerProcess[]): Promise<string> {
    const reports = await Promise.all(
      workers.map(async (worker) => {
        const metrics = (await worker.requestMetrics(this.timeoutMs)) ?? this.lastReport.get(worker.label);
        if (metrics) this.lastReport.set(worker.label, metrics);
        return metrics ? labelled(metrics as MetricObjectWithValues<MetricValue<string>>[], worker) : [];
      }),
    );
    if (reports.every((report) => report.length === 0)) return '';
    return AggregatorRegistry.aggregate(reports).metrics();
  }
}

function labelled(metrics: MetricObjectWithValues<MetricValue<string>>[], worker: WorkerProcess) {
  return metrics.map((metric) => ({
    ...metric,
    values: metric.values.map((value) => ({
      ...value,
      labels: { stage: worker.stage.name, worker: String(worker.workerId), ...value.labels },
    })),
  }));
}
