import { CLIENT_GONE } from '../engine/engine';
import type { Task } from '../engine/task';
import { PriorityName, priorityLevel } from '../gateway/admission';
import { PipelineGateway, refusalError } from '../gateway/pipeline-gateway';
import type { PipelineRoute } from '../gateway/pipeline-route';
import { PipelineError } from '../pipeline-error';
import { decodeIpc, encodeIpc } from '../protocol/codecs';
import { ItemFlags, RequestCodec } from '../protocol/item-flags';

export interface RunOptions {
  /** Request headers for the stages that asked for some (`@Stage({ headers })`), by lower-case name. */
  headers?: Record<string, string>;
  /** Served before lower levels in every stage's queue (as the `X-Mosec-Priority` header). Default normal. */
  priority?: PriorityName;
  /** Gives up on the request: it leaves its queue (rejected with an `AbortError`). */
  signal?: AbortSignal;
}

/** Codec flags of a call from code: the input is the first stage's value (msgpack), the result the last stage's value. */
const CALL_FLAGS = ItemFlags.PREDECODED | ItemFlags.VALUE | (RequestCodec.MSGPACK << ItemFlags.REQUEST_CODEC_SHIFT);

/**
 * Calls a pipeline from code, without HTTP: the same engine, batching, timeout, capacity and metrics
 * as its route. Inject it with `@InjectPipeline(EchoPipeline)`. Works in an HTTP application and in
 * one built with `NestFactory.createApplicationContext` (batch jobs, queue consumers). Failures reject
 * with a `PipelineError` carrying mosec's status (`getStatus()`: 408, 422, 429, 500, 503...).
 */
export class PipelineClient<In = unknown, Out = unknown> {
  constructor(
    private readonly gateway: PipelineGateway,
    private readonly route: PipelineRoute,
  ) {}

  /** The pipeline's path (its route's, before any global prefix). */
  get path(): string {
    return this.route.path;
  }

  /** Runs `input` through every stage and resolves with what the last stage's `forward` returned. */
  async run(input: In, options: RunOptions = {}): Promise<Out> {
    const payload = await this.payloadOf(input);
    return new Promise<Out>((resolve, reject) => {
      this.submit(payload, options, undefined, (status, body) => {
        if (status === 200) resolve(decodeIpc(body as Buffer) as Out);
        else reject(status === CLIENT_GONE ? abortError() : new PipelineError(status, body.toString()));
      });
    });
  }

  /**
   * Runs `input` through a streaming pipeline (its last stage a `StreamWorker`) and yields each event
   * the stage sends, as it comes; throws a `PipelineError` if the request fails.
   */
  async *stream(input: In, options: RunOptions = {}): AsyncGenerator<string, void, undefined> {
    const payload = await this.payloadOf(input);
    const events: string[] = [];
    let outcome: { status: number; body: string } | undefined;
    let wake: (() => void) | undefined;
    const signal = () => {
      wake?.();
      wake = undefined;
    };
    const task = this.submit(
      payload,
      options,
      (data) => {
        events.push(data.toString('utf8'));
        signal();
      },
      (status, body) => {
        outcome = { status, body: status === 200 ? '' : body.toString() };
        signal();
      },
    );
    try {
      for (;;) {
        while (events.length > 0) yield events.shift()!;
        if (outcome) break;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      // A consumer that stops early drops the request from whatever queue holds it.
      if (!outcome) this.gateway.cancel(task);
    }
    if (outcome.status === CLIENT_GONE) throw abortError();
    if (outcome.status !== 200) throw new PipelineError(outcome.status, outcome.body);
  }

  /** The first stage's input as msgpack, checked against the request DTO if the pipeline has one. */
  private async payloadOf(input: In): Promise<Buffer> {
    const payload = encodeIpc(input);
    if (!this.route.validate) return payload;
    const checked = await this.route.validate(payload, CALL_FLAGS);
    if ('payload' in checked) return checked.payload;
    this.gateway.answered(checked.status, this.route.path);
    throw new PipelineError(checked.status, checked.body, checked.type);
  }

  private submit(
    payload: Buffer,
    options: RunOptions,
    onEvent: ((data: Buffer) => void) | undefined,
    done: (status: number, body: Buffer | string) => void,
  ): Task {
    const answer = (status: number, body: Buffer | string) => {
      this.gateway.answered(status, this.route.path);
      done(status, body);
    };
    const refusal = this.gateway.admit({ priority: options.priority });
    if (refusal) this.refuse(refusal);
    if (options.signal?.aborted) throw abortError();
    const headers = options.headers && this.route.headers.length > 0 ? lowerCaseNames(options.headers) : undefined;
    const priority = priorityLevel(options.priority);
    let task: Task;
    try {
      task = this.gateway.submit(this.route, payload, CALL_FLAGS, answer, { onEvent, headers, priority });
    } catch (error) {
      if (error instanceof PipelineError) this.gateway.answered(error.getStatus(), this.route.path);
      throw error;
    }
    options.signal?.addEventListener('abort', () => this.gateway.cancel(task), { once: true });
    return task;
  }

  /** Refused before it was queued: counted as the answer its route would have given, and thrown. */
  private refuse(refusal: { status: number; body: string }): never {
    this.gateway.answered(refusal.status, this.route.path);
    throw refusalError(refusal);
  }
}

function lowerCaseNames(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), String(value)]));
}

function abortError(): Error {
  return new DOMException('the pipeline call was aborted', 'AbortError');
}
