/** @jest-environment ./test/support/onnx-environment.js */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildMlpModel, defaultMlpModelPath, MlpLayer, mlpLayers, prepareMlpModel, writeMlpModel } from '../../../../examples/mlp/mlp-model';
import { seededRandom } from '../../../../examples/mlp/seeded-random';
import { onnxRuntime } from './runtime';

/** The MLP computed by hand in float64, as the model file describes it. */
function referenceForward(layers: MlpLayer[], input: ArrayLike<number>): number[] {
  let activations = Array.from(input);
  layers.forEach(({ weights, bias, fanIn, fanOut }, index) => {
    const next = Array.from(bias);
    for (let i = 0; i < fanIn; i++) for (let j = 0; j < fanOut; j++) next[j] += activations[i] * weights[i * fanOut + j];
    activations = index + 1 < layers.length ? next.map((v) => Math.max(0, v)) : next;
  });
  const top = Math.max(...activations);
  const exps = activations.map((v) => Math.exp(v - top));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((v) => v / total);
}

describe('the generated MLP model', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mosec-onnx-model-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is the same file for the same sizes and seed, another for another seed', () => {
    const sizes = [4, 8, 3];
    expect(Buffer.from(buildMlpModel(sizes, 7)).equals(Buffer.from(buildMlpModel(sizes, 7)))).toBe(true);
    expect(Buffer.from(buildMlpModel(sizes, 7)).equals(Buffer.from(buildMlpModel(sizes, 8)))).toBe(false);
    expect(() => buildMlpModel([4], 7)).toThrow(/at least two/);
  });

  it('is written whole, with no temporary file left beside it', () => {
    const path = writeMlpModel(join(dir, 'nested', 'mlp.onnx'), [4, 8, 3], 7);
    expect(readFileSync(path).equals(Buffer.from(buildMlpModel([4, 8, 3], 7)))).toBe(true);
    expect(readdirSync(join(dir, 'nested'))).toEqual(['mlp.onnx']);
  });

  it('is prepared where MLP_MODEL_PATH says, and a file already there is kept as it is', () => {
    const missing = join(dir, 'prepared', 'mlp.onnx');
    const env: NodeJS.ProcessEnv = { MLP_MODEL_PATH: missing };
    expect(prepareMlpModel(env)).toBe(missing);
    expect(readFileSync(missing).equals(Buffer.from(buildMlpModel()))).toBe(true);
    const own = join(dir, 'own.onnx');
    writeFileSync(own, 'a model of the user');
    expect(prepareMlpModel({ MLP_MODEL_PATH: own })).toBe(own);
    expect(readFileSync(own, 'utf8')).toBe('a model of the user');
  });

  it('is written afresh under the temporary directory when MLP_MODEL_PATH is not set, and the path is set for the workers', () => {
    const env: NodeJS.ProcessEnv = {};
    expect(prepareMlpModel(env)).toBe(defaultMlpModelPath());
    expect(env.MLP_MODEL_PATH).toBe(defaultMlpModelPath());
    expect(readFileSync(defaultMlpModelPath()).equals(Buffer.from(buildMlpModel()))).toBe(true);
  });

  it('computes MatMul, Add, Relu and Softmax as the weights say', async () => {
    const sizes = [16, 32, 32, 10];
    const path = writeMlpModel(join(dir, 'small.onnx'), sizes, 3);
    const { InferenceSession, Tensor } = onnxRuntime();
    const session = await InferenceSession.create(path, { intraOpNumThreads: 1 });
    const random = seededRandom(11);
    const batch = 5;
    const input = Float32Array.from({ length: batch * 16 }, () => random() * 4 - 2);
    const output = await session.run({ features: new Tensor('float32', input, [batch, 16]) });
    const probabilities = output.probabilities.data as Float32Array;
    expect(output.probabilities.dims).toEqual([batch, 10]);
    const layers = mlpLayers(sizes, 3);
    for (let i = 0; i < batch; i++) {
      const expected = referenceForward(layers, input.subarray(i * 16, (i + 1) * 16));
      Array.from(probabilities.subarray(i * 10, (i + 1) * 10)).forEach((p, k) => expect(p).toBeCloseTo(expected[k], 5));
    }
    await session.release();
  });
});
