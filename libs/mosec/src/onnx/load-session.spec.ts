/** @jest-environment ./test/support/onnx-environment.js */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeMlpModel } from '../../../../examples/mlp/mlp-model';
import { Stage } from '../decorators/stage.decorator';
import { loadOnnxSession, resolveModelPath, resolveSessionOptions } from './load-session';

@Stage({ num: 2 })
class TwoWorkers {}

describe('resolveSessionOptions', () => {
  it('divides the cores among the workers of the stage by default', () => {
    const options = resolveSessionOptions({ stage: TwoWorkers }, {});
    expect(options.intraOpNumThreads).toBe(Math.max(1, Math.floor(require('node:os').availableParallelism() / 2)));
    expect(options).toMatchObject({ interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
    expect(resolveSessionOptions({ workers: 64 }, {}).intraOpNumThreads).toBe(1);
  });

  it('takes MOSEC_ONNX_THREADS over the default, and the session options over both', () => {
    expect(resolveSessionOptions({ stage: TwoWorkers }, { MOSEC_ONNX_THREADS: '3' }).intraOpNumThreads).toBe(3);
    const explicit = resolveSessionOptions({ sessionOptions: { intraOpNumThreads: 5, executionMode: 'parallel' } }, { MOSEC_ONNX_THREADS: '3' });
    expect(explicit).toMatchObject({ intraOpNumThreads: 5, executionMode: 'parallel' });
    expect(() => resolveSessionOptions({}, { MOSEC_ONNX_THREADS: 'many' })).toThrow(/MOSEC_ONNX_THREADS/);
  });

  it('creates sessions whose intra-op threads do not spin, unless the caller turns spinning back on', () => {
    expect(resolveSessionOptions({}, {}).extra).toEqual({ session: { intra_op: { allow_spinning: '0' } } });
    const mine = { session: { intra_op: { allow_spinning: '1' }, set_denormal_as_zero: '1' }, optimization: { enable_gelu_approximation: '1' } };
    expect(resolveSessionOptions({ sessionOptions: { extra: mine } }, {}).extra).toEqual(mine);
  });
});

describe('resolveModelPath', () => {
  it('takes the path, else the environment variable, else fails', () => {
    expect(resolveModelPath({ path: '/a.onnx' }, { MOSEC_ONNX_MODEL: '/b.onnx' })).toBe('/a.onnx');
    expect(resolveModelPath({}, { MOSEC_ONNX_MODEL: '/b.onnx' })).toBe('/b.onnx');
    expect(resolveModelPath({ pathEnv: 'MY_MODEL' }, { MY_MODEL: '/c.onnx' })).toBe('/c.onnx');
    expect(() => resolveModelPath({}, {})).toThrow(/MOSEC_ONNX_MODEL/);
  });
});

describe('loadOnnxSession', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mosec-onnx-session-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a model file and reports its inputs and outputs', async () => {
    const path = writeMlpModel(join(dir, 'mlp.onnx'), [16, 8, 10], 1);
    const session = await loadOnnxSession({ path, workers: 2 });
    expect(session.inputNames).toEqual(['features']);
    expect(session.outputNames).toEqual(['probabilities']);
    await session.release();
  });

  it('fails on a missing file', async () => {
    await expect(loadOnnxSession({ path: join(dir, 'missing.onnx') })).rejects.toThrow();
  });
});
