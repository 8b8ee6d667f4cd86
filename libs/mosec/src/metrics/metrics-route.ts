import type { FastifyInstance } from 'fastify';
import type { ServiceMetrics } from './service-metrics';
import type { WorkerMetrics } from './worker-metrics';
import type { WorkerProcess } from '../transport/worker-process';

/** `GET /metrics`: the service's metrics, then the workers' own, in Prometheus text format. */
export function registerMetricsRoute(
  fastify: FastifyInstance,
  service: ServiceMetrics,
  workers: WorkerMetrics,
  liveWorkers: () => WorkerProcess[],
): void {
  fastify.get('/metrics', async (_request, reply) => {
    const [own, theirs] = await Promise.all([service.registry.metrics(), workers.text(liveWorkers())]);
    reply.type(service.registry.contentType).send(theirs ? `${own}\n${theirs}` : own);
  });
}
