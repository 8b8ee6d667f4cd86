import type { InferenceSession } from 'onnxruntime-node';
import { OnnxBatchRunner } from '../onnx/batch-runner';
import { loadOnnxSession } from '../onnx/load-session';
import { groupByLength } from './length-groups';
import type { ModelDirectory } from './model-directory';
import { normalize, pool } from './pooling';

export interface SentenceEncoderOptions {
  /** The stage running it (`this` in a stage): its `num` shares the cores among its workers. */
  stage?: object;
  /** Largest tensor one model run takes, in padded tokens (group size × its longest). Default 4096. */
  maxPaddedTokens?: number;
  /** What one more run costs beyond its tokens, in tokens (see `groupByLength`). Default 64. */
  runCost?: number;
  /** Passed to onnxruntime. */
  sessionOptions?: InferenceSession.SessionOptions;
}

/** Hidden states of every position, the usual output of a transformer's ONNX export. */
const HIDDEN_STATES = 'last_hidden_state';

/**
 * Token ids in, one vector per sequence out: runs a batch as length groups (little padding), pools
 * each sequence over its own tokens (mean or CLS, as the model directory says) and normalises.
 * Load it inside a stage (`onModuleInit`), never in the HTTP process.
 */
export class SentenceEncoder {
  private constructor(
    private readonly runner: OnnxBatchRunner,
    private readonly model: ModelDirectory,
    private readonly options: SentenceEncoderOptions,
    private readonly hasTypeIds: boolean,
  ) {}

  static async load(model: ModelDirectory, options: SentenceEncoderOptions = {}): Promise<SentenceEncoder> {
    const session = await loadOnnxSession({ path: model.onnxPath, stage: options.stage, sessionOptions: options.sessionOptions });
    for (const name of ['input_ids', 'attention_mask']) {
      if (!session.inputNames.includes(name)) throw new Error(`${model.onnxPath}: no input "${name}" (inputs: ${session.inputNames.join(', ')})`);
    }
    if (!session.outputNames.includes(HIDDEN_STATES)) {
      throw new Error(`${model.onnxPath}: no output "${HIDDEN_STATES}" (outputs: ${session.outputNames.join(', ')})`);
    }
    const hasTypeIds = session.inputNames.includes('token_type_ids');
    const runner = new OnnxBatchRunner(session, {
      pad: { input_ids: { axis: 0, mask: 'attention_mask' }, ...(hasTypeIds ? { token_type_ids: { axis: 0 } } : {}) },
      outputs: [HIDDEN_STATES],
    });
    return new SentenceEncoder(runner, model, options, hasTypeIds);
  }

  /** One vector per sequence of token ids, in the order given. */
  async embed(sequences: readonly (readonly number[])[]): Promise<Float32Array[]> {
    const lengths = sequences.map((ids) => ids.length);
    const groups = groupByLength(lengths, { maxPaddedTokens: this.options.maxPaddedTokens ?? 4096, runCost: this.options.runCost });
    const vectors: Float32Array[] = new Array(sequences.length);
    for (const group of groups) {
      const feeds = group.map((i) => ({
        input_ids: sequences[i],
        ...(this.hasTypeIds ? { token_type_ids: new Array<number>(lengths[i]).fill(0) } : {}),
      }));
      const results = await this.runner.run(feeds);
      const longest = Math.max(...group.map((i) => lengths[i]));
      // Each item's hidden states come back padded to the group's longest: pool over its own tokens only.
      group.forEach((index, k) => {
        const result = results[k];
        if (result instanceof Error) throw result;
        const { data } = result[HIDDEN_STATES];
        const [vector] = pool(data as Float32Array, [1, longest, this.model.dimensions], [lengths[index]], this.model.pooling);
        vectors[index] = this.model.normalize ? normalize(vector) : vector;
      });
    }
    return vectors;
  }
}
