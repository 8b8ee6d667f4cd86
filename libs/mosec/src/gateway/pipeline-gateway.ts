import type { Type } from '@nestjs/common';
import { CLIENT_GONE, Engine, SubmitOptions } from '../engine/engine';
import type { Task } from '../engine/task';
import { ANSWERS } from '../mosec.messages';
import { PipelineError } from '../pipeline-error';
import type { WorkerPool } from '../transport/worker-pool';
import { Admission, AdmissionLimits, AdmissionState, Refusal } from './admission';
import type { PipelineRoute } from './pipeline-route';

/** What transports see of the service's lifecycle. */
export interface ServiceState extends AdmissionState {
  /** Taking requests, with at least one live worker in every stage (the readiness check). */
  readonly ready: boolean;
  /** The most worker processes the service runs. */
  readonly workerCount: number;
}

/** What the gateway asks of the service behind it (the orchestrator). */
export interface GatewayBackend extends ServiceState {
  readonly engine: Engine;
  /** The worker pools, one a stage. */
  readonly workerPools: readonly WorkerPool[];
  /** The route of a served `@Pipeline` class. */
  route(pipeline: Type<unknown>): PipelineRoute;
  /** Told of every answer a pipeline gives, whoever gave it. */
  answered(status: number, path: string): void;
  /** Present when metrics are on. */
  readonly metrics?: object;
  /** The Prometheus text, or undefined when metrics are off. */
  metricsText(): Promise<{ type: string; text: string }> | undefined;
}

/**
 * The one door transports (HTTP routes, the pipeline client, any other) use to reach the pipelines:
 * `admit` (the admission decision), `submit` (a task into the engine), `cancel` (a task whose caller
 * left), `state` (ready, draining). They never reach the service or each other.
 */
export class PipelineGateway {
  readonly admission: Admission;

  constructor(
    private readonly backend: GatewayBackend,
    limits: AdmissionLimits,
  ) {
    this.admission = new Admission(limits, backend);
  }

  get state(): ServiceState {
    return this.backend;
  }

  get workerPools(): readonly WorkerPool[] {
    return this.backend.workerPools;
  }

  route(pipeline: Type<unknown>): PipelineRoute {
    return this.backend.route(pipeline);
  }

  /** Why a call is refused (see `Admission.check`), or undefined when it is taken. */
  admit(ask: Parameters<Admission['check']>[0]): Refusal | undefined {
    return this.admission.check(ask);
  }

  /**
   * Queues a task for the route's first stage; `done` is called once with its answer.
   * Throws a 429 `PipelineError` when the engine's queue is full.
   */
  submit(
    route: PipelineRoute,
    payload: Buffer,
    codecFlags: number,
    done: (status: number, body: Buffer | string) => void,
    options: SubmitOptions,
  ): Task {
    const task = this.backend.engine.submit(route, payload, codecFlags, done, options);
    if (!task) throw refusalError(this.admission.full());
    return task;
  }

  /** The caller left: the task is dropped from whatever queue or worker holds it. */
  cancel(task: Task): void {
    if (!task.finished) this.backend.engine.finish(task, CLIENT_GONE, ANSWERS.clientGone);
  }

  answered(status: number, path: string): void {
    this.backend.answered(status, path);
  }

  get servesMetrics(): boolean {
    return this.backend.metrics !== undefined;
  }

  metricsText(): Promise<{ type: string; text: string }> | undefined {
    return this.backend.metricsText();
  }
}

/** A refusal as the error transports throw. */
export function refusalError(refusal: Refusal): PipelineError {
  return new PipelineError(refusal.status, refusal.body);
}
