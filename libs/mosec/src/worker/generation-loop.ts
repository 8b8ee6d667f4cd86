import { describeError } from '../errors';
import type { RequestContext } from '../interfaces';
import { EMIT, PrefillChunk, SequenceState, SteppedModel } from './generation-step';
import { StreamCancelled } from './stream-worker';

/** Where a sequence's tokens and answer go: its task in the HTTP process. */
export interface SequenceClient {
  /** One token's event. */
  send(text: string): void;
  /** The sequence's end: 200 (its answer was its events) or an error's status and body. */
  answer(status: number, body: Buffer): void;
}

interface Running<S> {
  readonly state: S;
  readonly client: SequenceClient;
  readonly signal: AbortSignal;
  /** Prompt tokens read so far. */
  fed: number;
  /** It made its last token: it leaves after this step. */
  last: boolean;
}

const EMPTY = Buffer.alloc(0);

/**
 * The running sequences of a generation worker and the loop that steps them (see GenerationWorker):
 * a sequence added joins at the next step; before each step the cancelled ones leave, after it the
 * finished ones. A step that throws fails the sequences it ran, not the others.
 */
export class GenerationLoop<In, S extends SequenceState> {
  private readonly running: Array<Running<S>> = [];
  private readonly byState = new Map<S, Running<S>>();
  private looping = false;

  constructor(
    private readonly worker: SteppedModel<In, S>,
    private readonly logger: { error(message: string): void } = console,
  ) {
    worker[EMIT] = (state, text, last) => this.emitted(state, text, last);
  }

  /** Sequences running now. */
  get size(): number {
    return this.running.length;
  }

  /** Starts a request (`worker.start`) and lets it join the next step; its end goes to `client.answer`. */
  async add(input: In, context: RequestContext, client: SequenceClient): Promise<void> {
    let state: S;
    try {
      state = await this.worker.start(input, context);
      if (!Number.isInteger(state?.promptLength) || state.promptLength < 1) throw new Error('start must return a sequence with a promptLength >= 1');
    } catch (error) {
      this.log(error);
      return answerError(client, error);
    }
    const entry: Running<S> = { state, client, signal: context.signal, fed: 0, last: false };
    this.running.push(entry);
    this.byState.set(state, entry);
    if (!this.looping) {
      this.looping = true;
      // After this turn of the event loop: what arrived with it joins the same step.
      setImmediate(() => void this.loop());
    }
  }

  /** One request alone, to its end; rejects with what failed it. */
  runAlone(input: In): Promise<void> {
    return new Promise((resolve, reject) => {
      const signal = new AbortController().signal;
      void this.add(input, { headers: {}, signal }, {
        send: () => undefined,
        answer: (status, body) => (status === 200 ? resolve() : reject(new Error(`${status}: ${body.toString()}`))),
      });
    });
  }

  private async loop(): Promise<void> {
    try {
      while (this.running.length > 0) {
        await this.step();
        // Frames that came during the step (new sequences, cancels) are read before the next one.
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      this.looping = false;
    }
  }

  private async step(): Promise<void> {
    this.leave((entry) => entry.signal.aborted, (entry) => answerError(entry.client, new StreamCancelled('the request was cancelled')));
    if (this.running.length === 0) return;
    const decode = this.running.filter((entry) => entry.fed >= entry.state.promptLength);
    const prefill = this.prefillChunks(this.worker.stepTokens - decode.length);
    const ran = [...decode, ...prefill.map((chunk) => this.byState.get(chunk.sequence)!)];
    try {
      await this.worker.step(
        decode.map((entry) => entry.state),
        prefill,
      );
    } catch (error) {
      this.log(error);
      const failed = new Set(ran);
      this.leave((entry) => failed.has(entry), (entry) => answerError(entry.client, error));
      return;
    }
    for (const chunk of prefill) this.byState.get(chunk.sequence)!.fed = chunk.to;
    this.leave((entry) => entry.last, (entry) => entry.client.answer(200, EMPTY));
  }

  /** The next prompt chunks, in arrival order, within `budget` tokens (the first one always runs: no prompt waits forever). */
  private prefillChunks(budget: number): Array<PrefillChunk<S>> {
    const chunks: Array<PrefillChunk<S>> = [];
    for (const entry of this.running) {
      const left = entry.state.promptLength - entry.fed;
      if (left <= 0) continue;
      const take = Math.min(left, this.worker.prefillChunk, chunks.length === 0 ? Math.max(1, budget) : budget);
      if (take <= 0) break;
      chunks.push({ sequence: entry.state, from: entry.fed, to: entry.fed + take });
      budget -= take;
    }
    return chunks;
  }

  private emitted(state: S, text: string, last: boolean): void {
    const entry = this.byState.get(state);
    if (!entry) throw new Error('emit: that sequence is not running');
    if (last) entry.last = true;
    if (!entry.signal.aborted) entry.client.send(text);
  }

  /** Takes out the sequences `which` selects, frees them (`worker.end`) and answers them. */
  private leave(which: (entry: Running<S>) => boolean, answer: (entry: Running<S>) => void): void {
    for (let i = this.running.length - 1; i >= 0; i--) {
      const entry = this.running[i];
      if (!which(entry)) continue;
      this.running.splice(i, 1);
      this.byState.delete(entry.state);
      try {
        this.worker.end?.(entry.state);
      } catch (error) {
        this.log(error);
      }
      answer(entry);
    }
  }

  private log(error: unknown): void {
    const { status } = describeError(error);
    if (status >= 500) this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
}

function answerError(client: SequenceClient, error: unknown): void {
  const { status, body } = describeError(error);
  client.answer(status, Buffer.from(body));
}
