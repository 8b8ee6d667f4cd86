/** @jest-environment ./test/support/onnx-environment.js */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { buildMlpModel } from '../examples/mlp/mlp-model';
import { MLP_SIZES } from '../examples/mlp/mlp-shape';
import { seededRandom } from '../examples/mlp/seeded-random';
import { post, RunningServer, startService } from './support/server';

jest.setTimeout(60_000);

const FEATURES = MLP_SIZES[0];
const CLASSES = MLP_SIZES[MLP_SIZES.length - 1];
const random = seededRandom(2024);
const randomFeatures = (): number[] => Array.from({ length: FEATURES }, () => Math.fround(random() * 6 - 3));

describe('examples/mlp: a batched ONNX classifier', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mosec-mlp-e2e-'));
  const modelPath = join(dir, 'models', 'mlp.onnx');
  let server: RunningServer;
  let reference: InferenceSession;

  beforeAll(async () => {
    // The path does not exist yet: the server generates the model there before its workers start.
    server = await startService('examples/mlp/main.js', { MLP_MODEL_PATH: modelPath });
    reference = await InferenceSession.create(modelPath, { intraOpNumThreads: 1 });
  });

  afterAll(async () => {
    await server?.stop();
    await reference?.release();
    rmSync(dir, { recursive: true, force: true });
  });

  /** What the model gives for this one input, run directly in this process. */
  async function direct(features: number[]): Promise<number[]> {
    const output = await reference.run({ features: new Tensor('float32', Float32Array.from(features), [1, FEATURES]) });
    return Array.from(output.probabilities.data as Float32Array);
  }

  async function expectServedLikeDirect(features: number[], answer: { status: number; body: string }): Promise<void> {
    expect(answer.status).toBe(200);
    const { label, probabilities } = JSON.parse(answer.body);
    const expected = await direct(features);
    expect(probabilities).toHaveLength(CLASSES);
    probabilities.forEach((p: number, k: number) => expect(Math.abs(p - expected[k])).toBeLessThanOrEqual(1e-5));
    expect(label).toBe(probabilities.indexOf(Math.max(...probabilities)));
    expect(label).toBe(expected.indexOf(Math.max(...expected)));
  }

  it('generated the model the seed describes', () => {
    expect(readFileSync(modelPath).equals(Buffer.from(buildMlpModel()))).toBe(true);
  });

  it('classifies one request as the model does', async () => {
    const features = randomFeatures();
    const answer = await post(`${server.url}/inference`, { features });
    expect(answer.type).toMatch(/^application\/json/);
    await expectServedLikeDirect(features, answer);
    const { probabilities } = JSON.parse(answer.body);
    expect(probabilities.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it('classifies 64 concurrent requests, each as the model does alone', async () => {
    const inputs = Array.from({ length: 64 }, randomFeatures);
    const answers = await Promise.all(inputs.map((features) => post(`${server.url}/inference`, { features })));
    for (let i = 0; i < inputs.length; i++) await expectServedLikeDirect(inputs[i], answers[i]);
    // Different inputs give different answers: no request got another's result.
    expect(new Set(answers.map((answer) => answer.body)).size).toBe(inputs.length);
  });

  it.each([
    ['features missing', {}, 'features is required'],
    ['features not an array', { features: 'sixteen numbers' }, 'features must be an array of 16 numbers'],
    ['15 features', { features: new Array(15).fill(0) }, 'features must have 16 numbers, not 15'],
    ['17 features', { features: new Array(17).fill(0) }, 'features must have 16 numbers, not 17'],
    ['a string among the features', { features: [...new Array(15).fill(0), 'a'] }, 'features[15] must be a finite number'],
    ['a null among the features', { features: [0, null, ...new Array(14).fill(0)] }, 'features[1] must be a finite number'],
    ['a body that is not an object', [1, 2, 3], 'features is required'],
  ])('answers 422 for %s', async (_, body, reason) => {
    const answer = await post(`${server.url}/inference`, body);
    expect(answer.status).toBe(422);
    expect(answer.body).toBe(`request validation error: ${reason}`);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const answer = await post(`${server.url}/inference`, '{"features": [1, 2');
    expect(answer.status).toBe(400);
  });

  it('keeps bad requests from failing good ones sent alongside', async () => {
    const good = Array.from({ length: 8 }, randomFeatures);
    const [answers, rejected] = await Promise.all([
      Promise.all(good.map((features) => post(`${server.url}/inference`, { features }))),
      Promise.all(Array.from({ length: 8 }, () => post(`${server.url}/inference`, { features: [1, 2, 3] }))),
    ]);
    for (let i = 0; i < good.length; i++) await expectServedLikeDirect(good[i], answers[i]);
    expect(rejected.every((answer) => answer.status === 422)).toBe(true);
  });

  it('stops cleanly on SIGTERM', async () => {
    expect(await server.stop()).toBe(0);
  });
});
