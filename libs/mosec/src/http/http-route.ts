import type { StageRuntime } from '../engine/stage-runtime';
import type { Route } from '../engine/task';
import type { PipelinePlan } from '../module/pipeline-plan';
import type { RequestValidator } from './validation';

/** A pipeline route as the HTTP process serves it: the engine's route plus how its requests are taken and answered. */
export interface HttpRoute extends Route {
  /** Checks bodies against the request DTO; absent, the body reaches the first stage unread. */
  readonly validate?: RequestValidator;
  /** Answers with Server-Sent Events (the last stage is a `StreamWorker`). */
  readonly stream: boolean;
  /** Content type of a 200 answer, when the last stage declares one (`@Stage({ responseType })`). */
  readonly responseType?: string;
}

/** The route of a planned pipeline; `forbidUnknown` is the module's default for pipelines that do not set it. */
export function httpRoute(plan: PipelinePlan, stages: StageRuntime[], forbidUnknown = false): HttpRoute {
  const responseType = plan.stages[plan.stages.length - 1].responseType;
  if (!plan.request) return { path: plan.path, stages, stream: plan.stream, responseType };
  // Loaded only for a pipeline with a DTO: class-validator costs every process that loads it ~70 ms.
  const { createRequestValidator } = require('./validation') as typeof import('./validation');
  const validate = createRequestValidator(plan.request, plan.forbidUnknown ?? forbidUnknown);
  return { path: plan.path, stages, validate, stream: plan.stream, responseType };
}
