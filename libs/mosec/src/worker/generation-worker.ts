import type { RequestContext } from '../interfaces';
import { GenerationLoop } from './generation-loop';
import { EMIT, Emit, PrefillChunk, SequenceState, SteppedModel } from './generation-step';
import { StreamWorker } from './stream-worker';

export type { PrefillChunk, SequenceState } from './generation-step';

/**
 * A stage that generates (continuous batching). Its worker keeps the running sequences: each step runs
 * one decode token for every sequence past its prompt and the next chunk of the prompts being read,
 * so a new request joins at the next step instead of waiting for the running ones to end, and a
 * finished or cancelled one leaves at the step after. `@Stage({ maxBatchSize })` is how many sequences
 * a worker runs at once (the others wait in the stage's queue); `stepTokens` and `prefillChunk` bound
 * a step's work. The route streams: each token is one event, sent with `emit` as it is made.
 *
 * The stage writes the model side only:
 * - `start(input, context)`: check and prepare a request (tokenize it); what it throws answers the
 *   request (a `ValidationError` is a 422). `context.signal` is aborted when the request is cancelled.
 * - `step(decode, prefill)`: one step; it calls `emit(sequence, text, last)` once for each token made.
 * - `end(sequence)`: the sequence left (finished, failed or cancelled): free what it holds.
 */
export abstract class GenerationWorker<In = unknown, S extends SequenceState = SequenceState> extends StreamWorker<In> implements SteppedModel<In, S> {
  /** Most tokens one step runs: one per decoding sequence, then prompt chunks up to the rest. */
  stepTokens = 512;
  /** Longest part of one prompt a step reads: a long prompt is read over several steps. */
  prefillChunk = 256;
  declare [EMIT]?: Emit<S>;

  abstract start(input: In, context: RequestContext): S | Promise<S>;
  abstract step(decode: S[], prefill: Array<PrefillChunk<S>>): Promise<void> | void;
  end?(sequence: S): void;

  /**
   * From `step`: `sequence` made one token; `text` goes to its client as one event (it may be empty,
   * when the text is held back). With `last`, the sequence ends after this step.
   */
  protected emit(sequence: S, text: string, last = false): void {
    const emit = this[EMIT];
    if (!emit) throw new Error('emit is called from step, for one of its sequences');
    emit(sequence, text, last);
  }

  /** Runs one request alone to its end, its events dropped (the warm-up `example`). */
  async forward(input: In): Promise<void> {
    await new GenerationLoop(this).runAlone(input);
  }
}

export function isGenerationWorker(value: unknown): value is GenerationWorker {
  return value instanceof GenerationWorker;
}

/** Whether instances of a stage class generate (read in the HTTP process, which never builds stages). */
export function isGenerationWorkerClass(type: unknown): boolean {
  return typeof type === 'function' && type.prototype instanceof GenerationWorker;
}
