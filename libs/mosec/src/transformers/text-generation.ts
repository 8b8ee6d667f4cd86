import { ValidationError } from '../errors';
import { GenerationWorker, PrefillChunk, SequenceState } from '../worker/generation-worker';
import { CausalLm, LmRow } from './causal-lm';
import { ChatTokenizer } from './chat-tokenizer';
import type { ModelDirectory } from './model-directory';
import { Sampler } from './sampler';
import { TextStream } from './text-stream';

/** One generation: a prompt's token ids and how to continue it (what the route and OpenAI's API send). */
export interface GenerationRequest {
  prompt: number[];
  /** Most tokens to make. */
  maxTokens: number;
  /** 0: greedy. Default 1. */
  temperature?: number;
  topP?: number;
  seed?: number;
  /** The answer ends before the first of these, which is not sent. */
  stop?: string[];
  /** Never end on an end-of-sequence token (it is not sampled): the answer runs to `maxTokens` or a stop string. */
  ignoreEos?: boolean;
  /** Added to the logits of these token ids before sampling. */
  logitBias?: Record<number, number>;
}

/** What each token's event carries (JSON): the text it adds (maybe none, held back), and on the last one why it ended. */
export interface TokenEvent {
  text: string;
  finish_reason?: 'stop' | 'length';
}

/** A sequence of a text generation stage. */
export class TextSequence implements SequenceState {
  readonly row: LmRow = { position: 0, next: 0 };
  readonly made: number[] = [];

  constructor(
    readonly request: GenerationRequest,
    readonly sampler: Sampler,
    readonly text: TextStream,
  ) {}

  get promptLength(): number {
    return this.request.prompt.length;
  }
}

const MAX_STOPS = 4;

/**
 * Text generation with a llama-family causal model exported to ONNX with its key/value cache (see
 * `CausalLm`), as a generation stage: continuous batching, sampling (temperature, top-p, seed), stop
 * strings held back until they cannot be one, one event per token (`TokenEvent`, as JSON). A stage
 * extends it and loads its model directory in `onModuleInit`:
 *
 * ```ts
 * @Stage({ maxBatchSize: 8 })
 * export class Generate extends TextGenerationWorker implements OnModuleInit {
 *   onModuleInit() { return this.load(readModelDirectory('models/SmolLM2-135M-Instruct')); }
 * }
 * ```
 */
export abstract class TextGenerationWorker extends GenerationWorker<GenerationRequest, TextSequence> {
  stepTokens = 256;
  prefillChunk = 128;
  /** Warm-up: a short prompt, two tokens. */
  example: GenerationRequest = { prompt: [1, 2, 3, 4], maxTokens: 2, temperature: 0 };
  /**
   * Whether onnxruntime's intra-op threads spin between operators, as the framework's sessions do not
   * by default. A step is a thousand small operators run back to back, and the plain greedy loop ran
   * about 15% faster alone with spinning on a quiet machine; but where other work shares the cores the
   * spinning threads take them from it and from each other: on the shared 2-core machine (load
   * average 10-13, 2 alternating rounds) the chat example with spinning made 15.1 and 26.7 tokens/s
   * with 8 streams against 32.9 and 41.3 without, and an 8th request's first token took 8.5 and 2.0
   * times its lone figure. Turn it on for a machine the worker has to itself.
   */
  spinThreads = false;
  protected lm!: CausalLm;
  protected tokenizer!: ChatTokenizer;

  protected async load(model: ModelDirectory): Promise<void> {
    const extra = { session: { intra_op: { allow_spinning: this.spinThreads ? '1' : '0' } } };
    this.lm = await CausalLm.load(model, { stage: this, sessionOptions: { extra } });
    this.tokenizer = ChatTokenizer.load(model);
  }

  start(request: GenerationRequest): TextSequence {
    const { vocabSize, contextLength } = this.lm.config;
    const prompt = request?.prompt;
    if (!Array.isArray(prompt) || prompt.length === 0 || !prompt.every((id) => Number.isInteger(id) && id >= 0 && id < vocabSize)) {
      throw new ValidationError(`prompt must be a non-empty list of token ids from 0 to ${vocabSize - 1}`);
    }
    const { maxTokens } = request;
    if (!Number.isInteger(maxTokens) || maxTokens < 1 || prompt.length + maxTokens > contextLength) {
      throw new ValidationError(`maxTokens must be an integer from 1 to ${contextLength - prompt.length} (the context is ${contextLength} tokens, the prompt ${prompt.length})`);
    }
    const stop = request.stop ?? [];
    if (!Array.isArray(stop) || stop.length > MAX_STOPS || !stop.every((s) => typeof s === 'string' && s.length > 0)) {
      throw new ValidationError(`stop must be up to ${MAX_STOPS} non-empty strings`);
    }
    const bias = request.logitBias ?? {};
    if (typeof bias !== 'object' || !Object.entries(bias).every(([id, value]) => Number(id) < vocabSize && typeof value === 'number' && Math.abs(value) <= 100)) {
      throw new ValidationError(`logitBias must map token ids below ${vocabSize} to numbers from -100 to 100`);
    }
    const sampler = new Sampler({ temperature: request.temperature, topP: request.topP, seed: request.seed });
    return new TextSequence(request, sampler, new TextStream((ids) => this.tokenizer.decode(ids), stop));
  }

  /**
   * The prompt chunks first, then the decode batch: a request that joins gets its first token one
   * prefill after the running step, and the running ones wait that prefill either way.
   */
  async step(decode: TextSequence[], prefill: Array<PrefillChunk<TextSequence>>): Promise<void> {
    if (prefill.length > 0) {
      const chunks = prefill.map(({ sequence, from, to }) => ({ row: sequence.row, tokens: sequence.request.prompt.slice(from, to) }));
      const logits = await this.lm.prefill(chunks);
      prefill.forEach(({ sequence, to }, i) => {
        if (to === sequence.promptLength) this.made(sequence, logits[i]);
      });
    }
    if (decode.length > 0) {
      const logits = await this.lm.decode(decode.map((sequence) => sequence.row));
      decode.forEach((sequence, i) => this.made(sequence, logits[i]));
    }
  }

  /** The next token from `logits`: its text goes out, and the sequence ends on an end-of-sequence token, a stop string or its length. */
  private made(sequence: TextSequence, logits: Float32Array): void {
    for (const [id, bias] of Object.entries(sequence.request.logitBias ?? {})) logits[Number(id)] += bias;
    if (sequence.request.ignoreEos) for (const eos of this.lm.config.eos) logits[eos] = -Infinity;
    const token = sequence.sampler.pick(logits);
    sequence.row.next = token;
    const eos = this.lm.config.eos.includes(token);
    if (!eos) sequence.made.push(token);
    const full = sequence.made.length + (eos ? 1 : 0) >= sequence.request.maxTokens;
    const text = sequence.text.push(sequence.made, eos || full);
    const finish = eos || sequence.text.stopped ? 'stop' : full ? 'length' : undefined;
    const event: TokenEvent = finish ? { text, finish_reason: finish } : { text };
    this.emit(sequence, JSON.stringify(event), finish !== undefined);
  }
}
