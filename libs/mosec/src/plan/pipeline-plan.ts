import type { Type } from '@nestjs/common';
import { PipelineMetadata, readPipelineMetadata, readStageOptions } from '../decorators/metadata';
import { DEFAULTS } from '../mosec.constants';
import { MESSAGES } from '../mosec.messages';
import { decodeIpc, decodeRequest, requestCodecOf } from '../protocol/codecs';
import { ItemFlags } from '../protocol/item-flags';
import { isStreamWorkerClass } from '../worker/stream-worker';
import { pipelineFile } from './pipeline-file';

/** A stage as the HTTP process needs to know it: its settings and where a worker finds it. */
export interface StagePlan {
  readonly type: Type<unknown>;
  readonly name: string;
  /** Workers at start; an elastic stage (`min` < `max`) has between `min` and `max` as its load goes. */
  readonly num: number;
  readonly min: number;
  readonly max: number;
  readonly maxBatchSize: number;
  readonly maxWaitTime: number;
  readonly adaptiveWait: boolean;
  readonly responseType?: string;
  readonly maxBatchCost?: number;
  readonly batchCost?: (payload: Buffer, flags: number) => number;
  readonly timeout: number;
  readonly env: Array<Record<string, string>>;
  /** Request headers the stage receives (lower case), if it asked for any. */
  readonly headers?: string[];
  /** The pipeline the workers load the stage from (its file, class name and path), and the stage's index in it. */
  readonly pipelineFile: string;
  readonly pipelineName: string;
  readonly pipelinePath: string;
  readonly stageIndex: number;
}

export interface PipelinePlan {
  readonly path: string;
  readonly module: Type<unknown>;
  readonly stages: StagePlan[];
  /** The DTOs of `@Pipeline` (request validation, OpenAPI schemas) and its own `forbidUnknown`. */
  readonly request?: Type<unknown>;
  readonly response?: Type<unknown>;
  readonly forbidUnknown?: boolean;
  /** The last stage is a `StreamWorker`: the route answers with Server-Sent Events. */
  readonly stream: boolean;
  /** The headers any of its stages asked for (lower case): what a request keeps of its headers. */
  readonly headers: string[];
  /** The format of bodies and answers whose request says none (`@Pipeline({ codec })`). */
  readonly codec: 'json' | 'msgpack';
}

/** A `@Pipeline` class's metadata, or a clear error for a class that is not one. */
export function pipelineMetadata(pipeline: Type<unknown>): PipelineMetadata {
  const meta = readPipelineMetadata(pipeline);
  if (!meta) throw new Error(MESSAGES.notAPipeline((pipeline as Type<unknown> | undefined)?.name ?? String(pipeline)));
  return meta;
}

/**
 * Reads the `@Pipeline` and `@Stage` metadata (no instances: stages are only built in workers) and
 * checks it. A stage class used by several pipelines is one plan, so one set of workers. What is
 * allowed but likely a mistake goes to `warn`, once a stage. `defaultWait` is the `maxWaitTime` of the
 * stages that set none (`--wait`).
 */
export function planPipelines(modules: Type<unknown>[], warn: (message: string) => void = () => undefined, defaultWait: number | 'auto' = DEFAULTS.wait): PipelinePlan[] {
  if (modules.length === 0) throw new Error(MESSAGES.noPipelines);
  const stages = new Map<Type<unknown>, StagePlan>();
  const paths = new Set<string>();
  return modules.map((module) => {
    const meta = pipelineMetadata(module);
    const path = checkPath(meta.path, module.name);
    if (paths.has(path)) throw new Error(`two pipelines are served at ${path}`);
    paths.add(path);
    if (!Array.isArray(meta.stages) || meta.stages.length === 0) {
      throw new Error(`@Pipeline('${path}') on ${module.name} lists no stages`);
    }
    const providers: unknown[] = Reflect.getMetadata('providers', module) ?? [];
    const plans = meta.stages.map((type, stageIndex) => {
      const known = stages.get(type);
      if (known) return known;
      if (!providers.includes(type)) {
        throw new Error(`${module.name} must list ${type?.name ?? type} in its @Module providers`);
      }
      const plan = planStage(type, module, path, stageIndex, defaultWait);
      warnOfSeconds(plan, warn);
      stages.set(type, plan);
      return plan;
    });
    const { request, response, forbidUnknown } = meta;
    const headers = [...new Set(plans.flatMap((stage) => stage.headers ?? []))];
    const codec = meta.codec ?? 'json';
    if (codec !== 'json' && codec !== 'msgpack') throw new Error(`@Pipeline('${path}') on ${module.name}: codec must be 'json' or 'msgpack', not ${JSON.stringify(codec)}`);
    return { path, module, stages: plans, request, response, forbidUnknown, stream: isStreamWorkerClass(plans[plans.length - 1].type), headers, codec };
  });
}

function planStage(type: Type<unknown>, module: Type<unknown>, path: string, stageIndex: number, defaultWait: number | 'auto'): StagePlan {
  const options = readStageOptions(type);
  if (!options) throw new Error(`${type.name} is listed as a stage but is not decorated with @Stage()`);
  const name = options.name ?? type.name;
  const { min, max } = workerRange(name, options.num ?? 1);
  const num = min;
  const maxBatchSize = options.maxBatchSize ?? 1;
  const wait = options.maxWaitTime ?? defaultWait;
  const adaptiveWait = wait === 'auto';
  const maxWaitTime = wait === 'auto' ? 0 : wait;
  const timeout = options.timeout ?? 0;
  const env = options.env ?? [];
  if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1) throw new Error(`@Stage ${name}: maxBatchSize must be an integer >= 1`);
  if (!(maxWaitTime >= 0)) throw new Error(`@Stage ${name}: maxWaitTime must be >= 0`);
  if (!(timeout >= 0)) throw new Error(`@Stage ${name}: timeout must be >= 0`);
  const batchCost = costFunction(type, name, options.maxBatchCost);
  if (env.length > 0 && env.length !== max) throw new Error(`@Stage ${name}: env must have one entry per worker (${max})`);
  const headers = checkHeaders(name, options.headers);
  return {
    type, name, num, min, max, maxBatchSize, maxWaitTime, adaptiveWait, timeout, env, headers, stageIndex,
    pipelineFile: pipelineFile(module), pipelineName: module.name, pipelinePath: path,
    maxBatchCost: options.maxBatchCost, batchCost, responseType: options.responseType,
  };
}

/**
 * mosec's `append_worker(timeout=...)` is in seconds, ours in ms: `timeout: 10` is most likely meant as
 * 10 s. Below 100 ms a stage timeout is hardly ever meant: it would kill the worker (and reload its
 * model) at a garbage-collection pause, while the seconds mosec users write (1 to 60) all fall below it.
 */
const SECONDS_LIKE_TIMEOUT = 100;

function warnOfSeconds(plan: StagePlan, warn: (message: string) => void): void {
  if (plan.timeout > 0 && plan.timeout < SECONDS_LIKE_TIMEOUT) {
    warn(
      `@Stage ${plan.name}: timeout ${plan.timeout} is in milliseconds, so a forward longer than ${plan.timeout} ms ` +
        `kills its worker; for ${plan.timeout} seconds write timeout: ${plan.timeout * 1000}`,
    );
  }
}

/**
 * A stage's static `batchCost(item)`, called in the HTTP process on the item as the default codecs
 * decode it (a static method: the stage itself is never built here).
 */
function costFunction(type: Type<unknown>, name: string, maxBatchCost: number | undefined): StagePlan['batchCost'] {
  const batchCost = (type as unknown as { batchCost?: (item: unknown) => number }).batchCost;
  if (maxBatchCost === undefined) return undefined;
  if (typeof batchCost !== 'function') throw new Error(`@Stage ${name}: maxBatchCost needs a static batchCost(item) method on the class`);
  if (!(maxBatchCost > 0)) throw new Error(`@Stage ${name}: maxBatchCost must be > 0`);
  return (payload, flags) => batchCost.call(type, decodeForCost(payload, flags));
}

function decodeForCost(payload: Buffer, flags: number): unknown {
  if (flags & ItemFlags.INGRESS && !(flags & ItemFlags.PREDECODED)) return decodeRequest(requestCodecOf(flags), payload);
  return decodeIpc(payload);
}

function checkPath(path: string, owner: string): string {
  if (typeof path !== 'string' || !path.startsWith('/')) throw new Error(`${owner}: the pipeline path must start with "/"`);
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

function workerRange(stage: string, num: unknown): { min: number; max: number } {
  const range = typeof num === 'object' && num !== null ? (num as { min: unknown; max: unknown }) : { min: num, max: num };
  const { min, max } = range;
  if (!Number.isInteger(min) || !Number.isInteger(max) || (min as number) < 1 || (max as number) < (min as number)) {
    throw new Error(`@Stage ${stage}: num must be an integer >= 1, or { min, max } with 1 <= min <= max`);
  }
  return { min: min as number, max: max as number };
}

function checkHeaders(stage: string, headers: unknown): string[] | undefined {
  if (headers === undefined) return undefined;
  if (!Array.isArray(headers) || !headers.every((name) => typeof name === 'string' && /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))) {
    throw new Error(`@Stage ${stage}: headers must be a list of header names`);
  }
  return headers.length > 0 ? headers.map((name) => name.toLowerCase()) : undefined;
}
