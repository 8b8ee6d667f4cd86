import type { StageRuntime } from '../engine/stage-runtime';
import type { Route } from '../engine/task';
import type { PipelinePlan } from '../plan/pipeline-plan';
import type { BodyShapeLimits } from '../validation/shape-count';
import type { RequestValidator } from '../validation/request-validator';

/** A pipeline as callers reach it (its HTTP route or its client): the engine's route plus how requests are taken and answered. */
export interface PipelineRoute extends Route {
  /** Checks bodies against the request DTO; absent, the body reaches the first stage unread. */
  readonly validate?: RequestValidator;
  /** Answers with Server-Sent Events (the last stage is a `StreamWorker`). */
  readonly stream: boolean;
  /** Content type of a 200 answer, when the last stage declares one (`@Stage({ responseType })`). */
  readonly responseType?: string;
  /** The request headers its stages asked for (lower case); empty when none did. */
  readonly headers: string[];
  /** The format of bodies and answers whose request says none. */
  readonly codec: 'json' | 'msgpack';
  /** The first stage decodes bodies with its own `deserialize` (which is told their content type). */
  readonly ownDecoding: boolean;
}

/** How bodies are checked against a request DTO: the module's options, and where refusals are logged. */
export interface DtoChecks {
  /** The module's default for pipelines that do not set their own. */
  forbidUnknown?: boolean;
  shape?: BodyShapeLimits;
  warn?: (message: string) => void;
}

/** The route of a planned pipeline. */
export function pipelineRoute(plan: PipelinePlan, stages: StageRuntime[], checks: DtoChecks = {}): PipelineRoute {
  const responseType = plan.stages[plan.stages.length - 1].responseType;
  const ownDecoding = typeof (plan.stages[0].type.prototype as { deserialize?: unknown } | undefined)?.deserialize === 'function';
  const route = { path: plan.path, stages, stream: plan.stream, responseType, headers: plan.headers, codec: plan.codec, ownDecoding };
  if (!plan.request) return route;
  // Loaded only for a pipeline with a DTO: class-validator costs every process that loads it ~70 ms.
  const { createRequestValidator } = require('../validation/request-validator') as typeof import('../validation/request-validator');
  return { ...route, validate: createRequestValidator(plan.request, plan.forbidUnknown ?? checks.forbidUnknown ?? false, checks.shape, checks.warn) };
}
