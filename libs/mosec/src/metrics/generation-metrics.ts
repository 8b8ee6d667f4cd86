import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { now } from '../engine/clock';
import type { StageRuntime } from '../engine/stage-runtime';
import type { Task } from '../engine/task';

/**
 * The metrics of generation stages (`GenerationWorker`), by route: tokens made (one stream event each),
 * the sequences running in the workers (taken out when they leave, cancelled ones included), the time
 * to the first token from the request's arrival and the time between two tokens of a stream.
 */
export class GenerationMetrics {
  private readonly tokens: Counter<'route'>;
  private readonly firstToken: Histogram<'route'>;
  private readonly interToken: Histogram<'route'>;
  /** When each task's last token came (its first: when it arrived). */
  private readonly lastTokenAt = new WeakMap<Task, number>();

  /**
   * Named under the namespace without its `_service` part: `mosec_tokens_generated_total`,
   * `mosec_sequences_running`, `mosec_time_to_first_token_second`, `mosec_inter_token_second` by default.
   */
  constructor(serviceNamespace: string, registry: Registry, stages: () => Iterable<StageRuntime>) {
    const namespace = serviceNamespace.replace(/_service$/, '');
    const registers = [registry];
    this.tokens = new Counter({ name: `${namespace}_tokens_generated_total`, help: 'tokens generated, by route', labelNames: ['route'], registers });
    new Gauge({
      name: `${namespace}_sequences_running`,
      help: 'sequences the generation workers run now, by route',
      labelNames: ['route'],
      registers,
      collect() {
        const counts = new Map<string, number>();
        for (const stage of stages()) {
          if (!stage.policy.generation) continue;
          for (const batch of stage.runningBatches()) for (const task of batch.tasks) counts.set(task.route.path, (counts.get(task.route.path) ?? 0) + 1);
        }
        this.reset();
        for (const [route, count] of counts) this.set({ route }, count);
      },
    });
    this.firstToken = new Histogram({
      name: `${namespace}_time_to_first_token_second`,
      help: 'time from a request to its first token, by route',
      labelNames: ['route'],
      buckets: [0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8],
      registers,
    });
    this.interToken = new Histogram({
      name: `${namespace}_inter_token_second`,
      help: 'time between two tokens of a stream, by route',
      labelNames: ['route'],
      buckets: [0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28],
      registers,
    });
  }

  /** A generation stage sent one token of `task`. */
  token(task: Task): void {
    const at = now();
    const route = task.route.path;
    const last = this.lastTokenAt.get(task);
    if (last === undefined) this.firstToken.observe({ route }, (at - task.createdAt) / 1000);
    else this.interToken.observe({ route }, (at - last) / 1000);
    this.lastTokenAt.set(task, at);
    this.tokens.inc({ route });
  }
}
