import { Logger } from '@nestjs/common';
import { describeError } from '../errors';
import { MESSAGES } from '../mosec.messages';
import { ItemFlags } from '../protocol/item-flags';
import type { BatchWorker, RequestContext, Worker } from '../interfaces';
import { contentTypeOf, decodeIpc, decodeRequest, encodeIpc, encodeResponse, requestCodecOf, toBuffer } from '../protocol/codecs';
import { ItemCancellation } from './item-cancellation';
import { isStreamWorker, setStreamSink, StreamCancelled } from './stream-worker';

type AnyWorker = (Worker<unknown, unknown> | BatchWorker<unknown, unknown>) & Record<string, any>;

export interface ItemResults {
  statuses: number[];
  bodies: Buffer[];
}

/** Receives a stream worker's events: `position` is the item's place in the frame. */
export type ItemEventSink = (position: number, text: string) => void;
/** Whether the item at `position` of the frame was cancelled (its task answered without it). */
export type ItemCancelled = (position: number) => boolean;

const EMPTY = Buffer.alloc(0);

/**
 * Runs a stage instance on the items of one frame: decode each item, call `forward` (once for a
 * batching stage, once per item otherwise), encode each result. A failure is confined to the items
 * it concerns: a bad item fails alone, a throwing batch fails its batch.
 */
export class StageHost {
  /** Whether the hint that this stage may be a BatchWorker without `maxBatchSize` was given. */
  private hinted = false;
  /** Told how many items of the current frame have their `forward` done (what the heartbeats report). */
  onItemsDone?: (done: number) => void;
  private itemsDone = 0;

  constructor(
    readonly worker: AnyWorker,
    private readonly batching: boolean,
    private readonly logger: Logger,
  ) {}

  /**
   * Runs one frame's items; `metas` holds the request metadata of the items that carry some,
   * `cancellations` each item's cancellation (the context's `signal`).
   */
  async run(
    flags: number[],
    payloads: Buffer[],
    metas?: Array<Buffer | undefined>,
    onEvent?: ItemEventSink,
    cancelled: ItemCancelled = () => false,
    cancellations: ItemCancellation[] = [],
  ): Promise<ItemResults> {
    this.itemsDone = 0;
    this.onItemsDone?.(0);
    const count = payloads.length;
    const statuses = new Array<number>(count).fill(200);
    const bodies = new Array<Buffer>(count);
    const inputs: unknown[] = [];
    const positions: number[] = [];
    for (let i = 0; i < count; i++) {
      try {
        inputs.push(this.decode(flags[i], payloads[i]));
        positions.push(i);
      } catch (error) {
        this.fail(statuses, bodies, i, error);
      }
    }
    const contexts = positions.map((i) => requestContext(metas?.[i], cancellations[i]));
    const outputs = onEvent && isStreamWorker(this.worker)
      ? await this.forwardStreaming(inputs, positions, onEvent, cancelled, contexts)
      : this.batching ? await this.forwardBatch(inputs, contexts) : await this.forwardEach(inputs, contexts, (k) => cancelled(positions[k]));
    for (let k = 0; k < positions.length; k++) {
      const i = positions[k];
      const output = outputs[k];
      if (output instanceof Error) {
        this.fail(statuses, bodies, i, output);
        continue;
      }
      try {
        bodies[i] = this.encode(flags[i], output);
      } catch (error) {
        this.log(error);
        this.fail(statuses, bodies, i, error);
      }
    }
    return { statuses, bodies };
  }

  /** The warm-up examples: each is one input, or one batch for a batching stage. */
  examples(): unknown[] {
    const examples: unknown[] = [];
    if (this.worker.example !== undefined) examples.push(this.worker.example);
    if (Array.isArray(this.worker.multiExamples)) examples.push(...this.worker.multiExamples);
    return examples;
  }

  /** The examples as single requests (a batch example gives one request per item). */
  exampleRequests(): unknown[] {
    return this.examples().flatMap((example) => (this.batching && Array.isArray(example) ? example : [example]));
  }

  /** Runs warm-up examples through `forward` directly (no codecs): a failure stops the worker. */
  async warmUp(): Promise<number> {
    const examples = this.examples();
    for (const example of examples) {
      if (this.batching) {
        const batch = Array.isArray(example) ? example : [example];
        const out = await (this.worker as BatchWorker).forward(batch);
        if (!Array.isArray(out) || out.length !== batch.length) {
          throw new Error(`warm-up: forward returned ${describeLength(out)} results for a batch of ${batch.length}`);
        }
      } else {
        await (this.worker as Worker).forward(example);
      }
    }
    return examples.length;
  }

  private async forwardBatch(inputs: unknown[], contexts?: RequestContext[]): Promise<unknown[]> {
    if (inputs.length === 0) return [];
    try {
      const outputs = await (contexts ? (this.worker as BatchWorker).forward(inputs, contexts) : (this.worker as BatchWorker).forward(inputs));
      if (!Array.isArray(outputs) || outputs.length !== inputs.length) {
        this.logger.error(
          `forward returned ${describeLength(outputs)} results for a batch of ${inputs.length}; the batch fails with 500`,
        );
        return inputs.map(() => new Error('wrong batch size'));
      }
      return outputs;
    } catch (error) {
      this.log(error);
      return inputs.map(() => error);
    }
  }

  /** One `forward` per input, in order; an input whose task was answered meanwhile (`skip`) is not run. */
  private async forwardEach(inputs: unknown[], contexts?: RequestContext[], skip?: (k: number) => boolean): Promise<unknown[]> {
    const outputs = new Array<unknown>(inputs.length);
    for (let i = 0; i < inputs.length; i++) {
      if (skip?.(i)) {
        outputs[i] = new StreamCancelled('its task was answered');
        this.itemsDone++;
        continue;
      }
      try {
        const worker = this.worker as Worker;
        outputs[i] = await (contexts ? worker.forward(inputs[i], contexts[i]) : worker.forward(inputs[i]));
      } catch (error) {
        this.log(error);
        this.hintBatchWorker(error, inputs[i]);
        outputs[i] = error instanceof Error ? error : new Error(String(error));
      }
      this.onItemsDone?.(++this.itemsDone);
    }
    return outputs;
  }

  /**
   * A stage written as a BatchWorker but declared without `maxBatchSize` gets one item per forward
   * and usually fails with a TypeError on it (`batch.map is not a function`): say so, once.
   */
  private hintBatchWorker(error: unknown, input: unknown): void {
    if (this.hinted || this.batching || !(error instanceof TypeError) || Array.isArray(input)) return;
    const examples = [this.worker.example, ...(Array.isArray(this.worker.multiExamples) ? this.worker.multiExamples : [])];
    if (!examples.some((example) => Array.isArray(example))) return;
    this.hinted = true;
    this.logger.warn(MESSAGES.looksLikeBatchWorker(this.worker.stage ?? this.worker.constructor.name));
  }

  /**
   * `forward` with the stream worker's `sendStreamEvent` pointed at the items' clients (input k is
   * item positions[k]). Events for a cancelled item are dropped; once every item of the call is
   * cancelled, `sendStreamEvent` throws, which ends the stream loop at its next event.
   */
  private async forwardStreaming(
    inputs: unknown[],
    positions: number[],
    onEvent: ItemEventSink,
    cancelled: ItemCancelled,
    contexts?: RequestContext[],
  ): Promise<unknown[]> {
    if (inputs.length === 0) return [];
    const worker = this.worker as any;
    const to = (k: number, index: number) => {
      if (!Number.isInteger(index) || index < 0 || k + index >= positions.length || (!this.batching && index !== 0)) {
        throw new RangeError(`sendStreamEvent: index ${index} is not an item of this ${this.batching ? `batch of ${inputs.length}` : 'call'}`);
      }
      return positions[k + index];
    };
    const sink = (items: number[], k: number) => (text: string, index: number) => {
      const position = to(k, index);
      if (cancelled(position)) {
        if (items.every((item) => cancelled(item))) throw new StreamCancelled('every client of this forward has gone');
        return false;
      }
      onEvent(position, text);
      return true;
    };
    try {
      if (this.batching) {
        setStreamSink(worker, sink(positions, 0));
        // Its answer is the events: any return value will do, but an Error at index i still fails item i.
        const outputs = await (contexts ? worker.forward(inputs, contexts) : worker.forward(inputs));
        return Array.isArray(outputs) && outputs.length === inputs.length ? outputs : inputs.map(() => undefined);
      }
      const outputs: unknown[] = [];
      for (let k = 0; k < inputs.length; k++) {
        setStreamSink(worker, sink([positions[k]], k));
        outputs.push(...(await this.forwardEach([inputs[k]], contexts && [contexts[k]], () => cancelled(positions[k]))));
      }
      return outputs;
    } catch (error) {
      this.log(error);
      return inputs.map(() => error);
    } finally {
      setStreamSink(worker, undefined);
    }
  }

  /** One item's input, as `forward` takes it (throws for bytes that do not decode). */
  decode(flags: number, data: Buffer): unknown {
    // Still a name: the payload was gone (its request had ended) when the worker went to read it.
    if (flags & ItemFlags.SHARED) throw new Error(`shared payload ${data.toString('latin1')} is gone`);
    if (flags & ItemFlags.INGRESS) {
      // A pre-decoded request (a dry run's example) is the library's msgpack, whatever the stage's own codecs.
      if (flags & ItemFlags.PREDECODED) return decodeIpc(data);
      return this.worker.deserialize ? this.worker.deserialize(data, contentTypeOf(requestCodecOf(flags))) : decodeRequest(requestCodecOf(flags), data);
    }
    return this.worker.deserializeIpc ? this.worker.deserializeIpc(data) : decodeIpc(data);
  }

  private encode(flags: number, value: unknown): Buffer {
    // A caller in the HTTP process (a PipelineClient) takes the value itself, whatever the stage's `serialize` would write.
    if (flags & ItemFlags.VALUE && flags & ItemFlags.EGRESS) return encodeIpc(value);
    // A stream worker's answer is its events: what its forward returns is not sent.
    if (flags & ItemFlags.EGRESS && isStreamWorker(this.worker)) return EMPTY;
    if (flags & ItemFlags.EGRESS) {
      return this.worker.serialize ? toBuffer(this.worker.serialize(value)) : encodeResponse(flags, value);
    }
    return this.worker.serializeIpc ? this.worker.serializeIpc(value) : encodeIpc(value);
  }

  private fail(statuses: number[], bodies: Buffer[], i: number, error: unknown): void {
    const { status, body } = describeError(error);
    statuses[i] = status;
    bodies[i] = Buffer.from(body);
  }

  private log(error: unknown): void {
    const { status } = describeError(error);
    if (status >= 500) this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    else this.logger.debug?.(`forward: ${(error as Error)?.message ?? error}`);
  }
}

const NEVER_CANCELLED = new ItemCancellation();

/** A context whose `signal` is made when first read (a getter on the class: one on each object costs ~10x). */
class ItemContext implements RequestContext {
  constructor(
    readonly headers: Record<string, string>,
    private readonly cancellation: ItemCancellation,
  ) {}

  get signal(): AbortSignal {
    return this.cancellation.signal;
  }
}

/** An item's context: the headers its metadata carries, and its cancellation signal. */
export function requestContext(meta: Buffer | undefined, cancellation: ItemCancellation = NEVER_CANCELLED): RequestContext {
  const headers = meta ? ((decodeIpc(meta) as Partial<RequestContext>).headers ?? {}) : {};
  return new ItemContext(headers, cancellation);
}

function describeLength(value: unknown): string {
  return Array.isArray(value) ? String(value.length) : `a non-array (${typeof value}) instead of`;
}
