import { BatchWorker, Stage, ValidationError } from '@mosec/nest';
import { Counter } from 'prom-client';

export interface NumberRequest {
  num: number;
}

/**
 * Answers whether each number is at least the average of its batch, and counts the answers with an
 * ordinary prom-client counter. The counter lives in the worker process; the service's own
 * `GET /metrics` shows it for every worker.
 */
@Stage({ num: 2, maxBatchSize: 8 })
export class Inference implements BatchWorker<NumberRequest, boolean> {
  workerId!: number;
  // prometheus_client (mosec's examples) adds `_total` to a counter's name and prom-client does not:
  // spelled out, mosec's own Grafana dashboard finds it as `inference_result_total`.
  private readonly results = new Counter({
    name: 'inference_result_total',
    help: 'answers given, by result and worker',
    labelNames: ['status', 'worker_id'],
  });

  forward(batch: NumberRequest[]): Array<boolean | Error> {
    const valid = batch.filter((request) => typeof request?.num === 'number');
    const average = valid.reduce((sum, request) => sum + request.num, 0) / Math.max(1, valid.length);
    return batch.map((request) => {
      if (typeof request?.num !== 'number') return new ValidationError('num must be a number');
      const atLeastAverage = request.num >= average;
      this.results.inc({ status: String(atLeastAverage), worker_id: String(this.workerId) });
      return atLeastAverage;
    });
  }
}
