import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writeMlpModel } from '../examples/mlp/mlp-model';
import { rss, stagePids } from './support/load';
import { allExited, DIST, eventually, post, RunningServer, sleep, startCommand, startService } from './support/server';

/**
 * A Nest application as a team writes one (test/fixtures/nest-app): ConfigModule, a global API-key
 * guard, interceptor and exception filter, a global prefix, shutdown hooks, a controller that calls a
 * pipeline through its client, and two pipelines, one with a light stage and a model stage.
 */
const KEY = 'secret-key';
const APP = 'test/fixtures/nest-app/src';
/** 16 -> 2048 -> 2048 -> 10: ~4.2M weights, 17 MB that the model stage's worker, and only it, holds. */
const MODEL_SIZES = [16, 2048, 2048, 10];

let work: string;
let env: Record<string, string>;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'mosec-nest-app-'));
  env = { API_KEY: KEY, MODEL_PATH: writeMlpModel(join(work, 'mlp.onnx'), MODEL_SIZES) };
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

const features = (value: number) => new Array(16).fill(value);

describe('a Nest application serving pipelines', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startService(`${APP}/main.js`, env);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('moves the pipeline route under the global prefix, behind the global guard', async () => {
    expect((await post(`${server.url}/inference`, { features: features(1) }, { 'x-api-key': KEY })).status).toBe(404);
    const refused = await post(`${server.url}/api/inference`, { features: features(1) });
    expect(refused.status).toBe(401);
    // The application's exception filter wrote the guard's answer.
    expect(JSON.parse(refused.body)).toEqual({ problem: { status: 401, detail: 'an API key is required' } });
    const answer = await fetch(`${server.url}/api/inference`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY, 'x-request-id': 'req-7' },
      body: JSON.stringify({ features: features(1) }),
    });
    expect(answer.status).toBe(200);
    // The application's interceptor ran around the pipeline.
    expect(answer.headers.get('x-response-time')).toMatch(/ms$/);
    const body = await answer.json();
    expect(body).toMatchObject({ label: expect.any(Number), requestId: 'req-7' });
    expect(body.probabilities).toHaveLength(10);
    expect(body.by).toEqual([expect.stringMatching(/^Pre#[12]$/), 'Model#1']);
  });

  it('carries decorators of the @Pipeline class to its route, and versions it', async () => {
    // NoopPipeline is @Public() and version 1: the global guard reads the metadata as on a controller.
    const open = await post(`${server.url}/api/v1/noop`, { any: 'thing' });
    expect(open).toMatchObject({ status: 200, body: '{"any":"thing"}' });
    expect((await post(`${server.url}/api/noop`, {})).status).toBe(404);
  });

  it('documents the routes where the prefix and versioning put them, with every status they answer', async () => {
    const document = await (await fetch(`${server.url}/openapi/metadata.json`)).json();
    const inference = document.paths['/api/inference'].post;
    expect(inference.operationId).toBe('postInference');
    expect(Object.keys(inference.responses)).toEqual(expect.arrayContaining(['200', '400', '408', '413', '422', '429', '500', '503']));
    expect(document.paths['/api/v1/noop'].post.summary).toBe('Noop');
    expect(document.paths['/'].get.operationId).toBe('getHealth');
  });

  it("gives the pipeline route's answers to the application's global filter, with mosec's status and text", async () => {
    const invalid = await post(`${server.url}/api/inference`, { features: [1] }, { 'x-api-key': KEY });
    expect(invalid.status).toBe(422);
    expect(JSON.parse(invalid.body)).toEqual({ problem: { status: 422, detail: 'request validation error: features must be 16 numbers' } });
  });

  it('serves readiness and metrics outside the prefix and the guard, for probes', async () => {
    expect((await fetch(`${server.url}/`)).status).toBe(200);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/mosec_service_throughput\{code="401",endpoint="\/inference"\} [1-9]/);
    expect(metrics).toMatch(/mosec_service_throughput\{code="200",endpoint="\/inference"\} [1-9]/);
  });

  it('lets a controller call the pipeline through its client, with typed errors', async () => {
    const rows = [features(0), features(1), features(2), features(0)];
    const summary = await post(`${server.url}/api/summary`, { rows }, { 'x-api-key': KEY, 'x-request-id': 'sum-1' });
    expect(summary.status).toBe(201);
    const { labels, counts, requestId } = JSON.parse(summary.body);
    expect(labels).toHaveLength(4);
    expect(labels[0]).toBe(labels[3]);
    expect(Object.values(counts).reduce((a: number, b) => a + (b as number), 0)).toBe(4);
    expect(requestId).toBe('sum-1');
    // The client's PipelineError is an HttpException: the application's filter answers it, with mosec's status.
    const bad = await post(`${server.url}/api/summary`, { rows: [[1, 2]] }, { 'x-api-key': KEY });
    expect(bad.status).toBe(422);
    expect(JSON.parse(bad.body)).toEqual({ problem: { status: 422, detail: 'request validation error: features must be 16 numbers' } });
  });

  it("builds each stage in its own workers only: the light stage's worker is as small as an empty one", async () => {
    const mib = (stage: string) => rss(stagePids(server, stage).get(`${stage}#1`)!) / 2 ** 20;
    const [pre, model, noop] = [mib('Pre'), mib('Model'), mib('Noop')];
    expect(Math.abs(pre - noop)).toBeLessThan(15);
    // The model's weights alone are 17 MB, and onnxruntime comes with them.
    expect(model - noop).toBeGreaterThan(30);
  });
});

describe('with guardProbes, the probes are Nest routes', () => {
  it('puts the readiness check and the metrics under the prefix and behind the guard', async () => {
    const server = await startService(`${APP}/main.js`, { ...env, GUARD_PROBES: '1', READINESS_PATH: '/health' }, { waitReady: false });
    try {
      const key = { 'x-api-key': KEY };
      const ready = async () => (await fetch(`${server.url}/api/health`, { headers: key }).then((r) => r.status, () => 0)) === 200;
      await eventually(ready, 30_000, () => `not ready:\n${server.logs()}`);
      expect(await (await fetch(`${server.url}/api/health`, { headers: key })).text()).toBe('MOSEC service');
      expect((await fetch(`${server.url}/api/health`)).status).toBe(401);
      expect((await fetch(`${server.url}/health`)).status).toBe(404);
      expect((await fetch(`${server.url}/api/metrics`)).status).toBe(401);
      expect(await (await fetch(`${server.url}/api/metrics`, { headers: key })).text()).toMatch(/mosec_service_remaining_task/);
    } finally {
      await server.stop();
    }
  });
});

describe('the same application without a server', () => {
  it('runs the pipeline from an application context and through app.inject()', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(DIST, APP, 'in-process.js')], {
      env: { ...process.env, ...env, MOSEC_PORT: '1' },
      timeout: 60_000,
    });
    const seen = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(seen.context.labels).toHaveLength(20);
    expect(new Set(seen.context.by.map((by: string[]) => by[1]))).toEqual(new Set(['Model#1']));
    expect(seen.context.refused).toEqual({ status: 422, body: 'request validation error: features must be 16 numbers' });
    expect(seen.context.words).toEqual(['batch', 'jobs', 'stream', 'too']);
    expect(seen.inject).toMatchObject({ withoutKey: 401, withKey: 200, body: { label: expect.any(Number) } });
    // The context serves no HTTP and says so (the HTTP application made after it says what it serves).
    expect(stdout).toMatch(/worker\(s\) ready; InferencePipeline, NoopPipeline, WordsPipeline reachable through @InjectPipeline clients \(an application context serves no HTTP\)/);
    expect(stdout.match(/worker\(s\) ready; serving POST/g)).toHaveLength(1);
  });
});

describe('a SIGTERM to the whole process group', () => {
  it('drains the requests in flight: 8 slow requests get 200, then exit 0 and no process left', async () => {
    // Its own process group, as under systemd or `docker stop` with `tini -g`.
    const server = await startCommand(process.execPath, [join(DIST, APP, 'main.js')], { env, detached: true });
    const pids = ['Pre', 'Model', 'Noop', 'Words'].flatMap((stage) => [...stagePids(server, stage).values()]);
    expect(pids).toHaveLength(5);
    try {
      const slow = Array.from({ length: 8 }, () => post(`${server.url}/api/inference`, { features: features(1), delayMs: 1000 }, { 'x-api-key': KEY }));
      await sleep(300);
      process.kill(-server.proc.pid!, 'SIGTERM');
      const answers = await Promise.all(slow);
      expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(200));
      expect(await server.exited).toBe(0);
      expect(server.logs()).toMatch(/SIGTERM: draining 8 in-flight request\(s\)/);
      expect(server.logs()).toMatch(/drained 8 request\(s\)/);
      await allExited(pids, 3000);
    } finally {
      await server.stop();
    }
  });
});
