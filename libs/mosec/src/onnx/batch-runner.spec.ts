/** @jest-environment ./test/support/onnx-environment.js */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import { writeMlpModel } from '../../../../examples/mlp/mlp-model';
import {
  ElementType,
  encodeModel,
  floatInitializer,
  int64Initializer,
  node,
  tensorValue,
  writeFileAtomically,
} from '../../../../examples/mlp/onnx-graph';
import { seededRandom } from '../../../../examples/mlp/seeded-random';
import { ValidationError } from '../errors';
import { ItemResults, OnnxBatchRunner } from './batch-runner';
import { TensorData } from './item-tensor';
import { loadOnnxSession } from './load-session';

/**
 * A variable-length model: `tokens [batch, sequence, 3]` and `mask [batch, sequence]` give
 * `doubled = 2 * tokens` and `pooled = sum over sequence of tokens * mask`.
 */
function writeSequenceModel(path: string): string {
  writeFileAtomically(
    path,
    encodeModel({
      name: 'masked-sum',
      inputs: [
        tensorValue('tokens', ElementType.FLOAT, ['batch', 'sequence', 3]),
        tensorValue('mask', ElementType.INT64, ['batch', 'sequence']),
      ],
      outputs: [
        tensorValue('doubled', ElementType.FLOAT, ['batch', 'sequence', 3]),
        tensorValue('pooled', ElementType.FLOAT, ['batch', 3]),
      ],
      nodes: [
        node('Mul', ['tokens', 'two'], ['doubled']),
        node('Cast', ['mask'], ['mask_float'], { to: ElementType.FLOAT }),
        node('Unsqueeze', ['mask_float', 'last_axis'], ['mask_column']),
        node('Mul', ['tokens', 'mask_column'], ['masked']),
        node('ReduceSum', ['masked', 'sequence_axis'], ['pooled'], { keepdims: 0 }),
      ],
      initializers: [
        floatInitializer('two', [], Float32Array.of(2)),
        int64Initializer('last_axis', [-1]),
        int64Initializer('sequence_axis', [1]),
      ],
    }),
  );
  return path;
}

const dir = mkdtempSync(join(tmpdir(), 'mosec-onnx-runner-'));
const random = seededRandom(5);
const features = (length = 16) => Float32Array.from({ length }, () => random() * 4 - 2);
let mlp: InferenceSession;
let sequence: InferenceSession;

beforeAll(async () => {
  mlp = await loadOnnxSession({ path: writeMlpModel(join(dir, 'mlp.onnx'), [16, 64, 64, 10], 9), workers: 2 });
  sequence = await loadOnnxSession({ path: writeSequenceModel(join(dir, 'sequence.onnx')), workers: 2 });
});

afterAll(async () => {
  await mlp?.release();
  await sequence?.release();
  rmSync(dir, { recursive: true, force: true });
});

async function runAlone(runner: OnnxBatchRunner, input: Float32Array): Promise<Float32Array> {
  const [result] = await runner.run([{ features: input }]);
  if (result instanceof Error) throw result;
  return result.probabilities.data as Float32Array;
}

/** A tensor's values as a plain array, for comparing. */
const values = (data: TensorData): Array<number | bigint> => Array.from(data as ArrayLike<number | bigint>);

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, digits = 6): void {
  expect(actual.length).toBe(expected.length);
  Array.from(actual).forEach((value, i) => expect(value).toBeCloseTo(expected[i], digits));
}

describe('OnnxBatchRunner on an MLP', () => {
  it('runs a batch of 64 once and gives each request what it gets alone', async () => {
    const runner = new OnnxBatchRunner(mlp);
    const inputs = Array.from({ length: 64 }, () => features());
    const results = await runner.run(inputs.map((input) => ({ features: input })));
    expect(results).toHaveLength(64);
    for (let i = 0; i < inputs.length; i++) {
      const result = results[i];
      if (result instanceof Error) throw result;
      expect(result.probabilities.dims).toEqual([10]);
      expectClose(result.probabilities.data as Float32Array, await runAlone(runner, inputs[i]));
    }
  });

  it('takes plain number arrays and { data, dims }', async () => {
    const runner = new OnnxBatchRunner(mlp);
    const input = features();
    const [asArray, asTensor] = await runner.run([{ features: Array.from(input) }, { features: { data: input, dims: [16] } }]);
    const alone = await runAlone(runner, input);
    expectClose((asArray as ItemResults).probabilities.data as Float32Array, alone);
    expectClose((asTensor as ItemResults).probabilities.data as Float32Array, alone);
  });

  it('fails only the items that do not fit, and runs the rest', async () => {
    const runner = new OnnxBatchRunner(mlp);
    const good = [features(), features(), features()];
    const results = await runner.run([
      { features: good[0] },
      { features: features(15) },
      { features: good[1] },
      { other: features() } as never,
      { features: ['a', 2] } as never,
      { features: good[2] },
    ]);
    expect(results[1]).toBeInstanceOf(ValidationError);
    expect((results[1] as Error).message).toBe('input "features": expected dims [16], got [15]');
    expect(results[3]).toBeInstanceOf(ValidationError);
    expect((results[3] as Error).message).toBe('input "features" is missing');
    expect(results[4]).toBeInstanceOf(ValidationError);
    for (const [index, input] of [[0, good[0]], [2, good[1]], [5, good[2]]] as const) {
      const result = results[index];
      if (result instanceof Error) throw result;
      expectClose(result.probabilities.data as Float32Array, await runAlone(runner, input));
    }
  });

  it('does not run the model when no item fits', async () => {
    const runner = new OnnxBatchRunner(mlp);
    const run = jest.spyOn(mlp, 'run');
    const results = await runner.run([{ features: features(3) }, {} as never]);
    expect(results.every((result) => result instanceof ValidationError)).toBe(true);
    expect(run).not.toHaveBeenCalled();
    run.mockRestore();
  });
});

describe('OnnxBatchRunner with padding', () => {
  // Items of 2, 5 and 1 rows of 3 values.
  const rows = [2, 5, 1].map((length) => Float32Array.from({ length: length * 3 }, (_, k) => k + 1 + length * 10));
  const items = rows.map((data) => ({ tokens: { data, dims: [data.length / 3, 3] } }));

  it('pads to the longest item, feeds the mask, and cuts outputs back to each length', async () => {
    const runner = new OnnxBatchRunner(sequence, {
      pad: { tokens: { axis: 'sequence', value: 100, mask: 'mask' } },
      unpad: { doubled: { axis: 'sequence', like: 'tokens' } },
    });
    expect(runner.itemInputs).toEqual(['tokens']);
    const results = await runner.run(items);
    results.forEach((result, i) => {
      if (result instanceof Error) throw result;
      expect(result.doubled.dims).toEqual([rows[i].length / 3, 3]);
      expect(values(result.doubled.data)).toEqual(Array.from(rows[i], (v) => v * 2));
      // Were the padding (100) not masked out, the sums would be off by hundreds.
      const sums = [0, 1, 2].map((column) => rows[i].filter((_, k) => k % 3 === column).reduce((a, b) => a + b, 0));
      expect(values(result.pooled.data)).toEqual(sums);
    });
  });

  it('leaves outputs padded when not asked to cut them, with the pad value in place', async () => {
    const runner = new OnnxBatchRunner(sequence, { pad: { tokens: { axis: 0, value: -1, mask: 'mask' } }, outputs: ['doubled'] });
    const results = await runner.run(items);
    const last = results[2];
    if (last instanceof Error) throw last;
    expect(Object.keys(last)).toEqual(['doubled']);
    expect(last.doubled.dims).toEqual([5, 3]);
    expect(values(last.doubled.data)).toEqual([...Array.from(rows[2], (v) => v * 2), ...new Array(12).fill(-2)]);
  });

  it('still refuses items that differ on an axis that is not padded', async () => {
    const runner = new OnnxBatchRunner(sequence, { pad: { tokens: { axis: 'sequence', mask: 'mask' } } });
    const [ok, bad] = await runner.run([items[0], { tokens: { data: new Float32Array(4), dims: [2, 2] } }]);
    expect(ok).not.toBeInstanceOf(Error);
    expect((bad as Error).message).toBe('input "tokens": expected dims [?, 3], got [2, 2]');
  });

  it('names configuration mistakes when it is built', () => {
    expect(() => new OnnxBatchRunner(sequence, { pad: { tokens: { axis: 'time' } } })).toThrow(/no dimension named "time".*sequence/);
    expect(() => new OnnxBatchRunner(sequence, { pad: { words: { axis: 0 } } })).toThrow(/no input "words"/);
    expect(() => new OnnxBatchRunner(sequence, { pad: { tokens: { axis: 2 } } })).toThrow(/2 axes, batch not counted/);
    expect(() => new OnnxBatchRunner(sequence, { pad: { tokens: { axis: 0, mask: 'attention' } } })).toThrow(/no mask input/);
    expect(() => new OnnxBatchRunner(sequence, { unpad: { doubled: { axis: 0, like: 'tokens' } } })).toThrow(/not a padded input/);
  });
});
