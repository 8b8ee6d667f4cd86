import type { ControllerOptions, Type } from '@nestjs/common';
import { PIPELINE_METADATA, STAGE_METADATA } from '../mosec.constants';

export interface StageOptions {
  /**
   * Worker processes for this stage. Default 1. `{ min, max }` makes it elastic: it starts `min`
   * workers, adds one while its queue stays deeper than its busy workers can take, up to `max`, and
   * removes one after its workers have been mostly idle for `scaleDownAfter` (module option).
   */
  num?: number | { min: number; max: number };
  /** Largest batch handed to `forward`. Default 1 (no batching). */
  maxBatchSize?: number;
  /**
   * Milliseconds a batch waits for more items after its first one, or `'auto'` (the default; the
   * `wait` option, `MOSEC_WAIT`, `--wait` change it for every stage that sets none): the wait follows
   * the measured arrival rate and forward time, none at low load, full batches at high load. 10 is
   * mosec's fixed default.
   */
  maxWaitTime?: number | 'auto';
  /**
   * Largest total cost of a batch, with a static `batchCost(item): number` on the stage class (tokens,
   * pixels...): a batch closes before it would pass this, so one huge request does not swell a batch.
   */
  maxBatchCost?: number;
  /** Milliseconds one `forward` may take before its worker is killed and replaced (its requests get 408). */
  timeout?: number;
  /** Environment for each worker: entry i is applied to worker i + 1 (one entry per worker, `max` of an elastic stage). */
  env?: Array<Record<string, string>>;
  /**
   * Content type of a 200 answer when this stage is the last one and its `serialize` writes something
   * other than JSON (mosec's `resp_mime_type`), e.g. `text/csv`. Default: JSON, or msgpack when asked.
   */
  responseType?: string;
  /** Name used in logs and metrics. Default: the class name. */
  name?: string;
  /**
   * Request headers this stage receives with each item, as `forward`'s second argument
   * (`{ headers }`, or one per item of a batch): a trace id, the subject a gateway authenticated.
   * Only the routes whose stages ask for headers keep them.
   */
  headers?: string[];
}

export interface PipelineOptions {
  /** The stage classes, in order: the first decodes the request, the last encodes the response. */
  stages: Type<unknown>[];
  /**
   * A class-validator DTO: JSON and msgpack bodies are checked against it in the HTTP process before
   * they are queued (422 with the reasons on failure); the first stage gets the checked object,
   * without the properties the DTO does not declare. Also the request schema in the OpenAPI document.
   */
  request?: Type<unknown>;
  /** The response schema in the OpenAPI document (`@ApiProperty` on its properties). */
  response?: Type<unknown>;
  /** Reject (422) bodies with properties the request DTO does not declare, instead of dropping them. Default: the module's `forbidUnknown`, else false. */
  forbidUnknown?: boolean;
  /** The route's version under the application's versioning (as `@Controller({ version })`). */
  version?: ControllerOptions['version'];
  /**
   * The format of a body sent without `Content-Type` and of an answer to a request without `Accept`
   * (or one that accepts any type): `'msgpack'` serves mosec's msgpack clients, which send no headers, as
   * mosec's `MsgpackMixin` does. Explicit headers still choose. Default `'json'`.
   */
  codec?: 'json' | 'msgpack';
}

export interface PipelineMetadata extends PipelineOptions {
  path: string;
}

/** The one place the decorators' metadata is read back: a `@Pipeline` class's, undefined for anything else. */
export function readPipelineMetadata(pipeline: unknown): PipelineMetadata | undefined {
  return typeof pipeline === 'function' ? Reflect.getMetadata(PIPELINE_METADATA, pipeline) : undefined;
}

/** A `@Stage` class's options, undefined for a class that is not one. */
export function readStageOptions(stage: Function): StageOptions | undefined {
  return Reflect.getMetadata(STAGE_METADATA, stage);
}
