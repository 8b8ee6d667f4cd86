import type { RequestContext } from '../interfaces';

/** What the framework needs to know of a sequence: how many prompt tokens it reads before it makes its first. */
export interface SequenceState {
  readonly promptLength: number;
}

/** Prompt tokens `from` up to (not including) `to` of a sequence, run in this step. When `to` is its `promptLength`, it makes its first token. */
export interface PrefillChunk<S> {
  readonly sequence: S;
  readonly from: number;
  readonly to: number;
}

export const EMIT = Symbol('mosec.generationEmit');
export type Emit<S> = (sequence: S, text: string, last: boolean) => void;

/** What the step loop drives (a GenerationWorker): the model side of a generation stage. */
export interface SteppedModel<In, S extends SequenceState> {
  stepTokens: number;
  prefillChunk: number;
  [EMIT]?: Emit<S>;
  start(input: In, context: RequestContext): S | Promise<S>;
  step(decode: S[], prefill: Array<PrefillChunk<S>>): Promise<void> | void;
  end?(sequence: S): void;
}
