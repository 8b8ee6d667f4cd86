import { exitOf, post, startService, waitForLog } from './support/server';

describe('startup, logs and dry run', () => {
  it('tells a person what happens: workers spawned and warmed up, where it listens, what it serves', async () => {
    const server = await startService('examples/echo/main.js');
    await server.stop();
    const logs = server.logs();
    for (const worker of ['Preprocess#1', 'Preprocess#2', 'Inference#1', 'Postprocess#1']) {
      expect(logs).toMatch(new RegExp(`${worker} spawned \\(pid \\d+\\)`));
      expect(logs).toMatch(new RegExp(`${worker} ready \\(pid \\d+, warm-up \\d+ ms, \\d example\\(s\\)\\)`));
    }
    expect(logs).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+.*: POST \/inference, GET \/, GET \/metrics/);
    expect(logs).toMatch(/4 worker\(s\) ready; serving POST \/inference/);
    expect(logs).toMatch(/SIGTERM: draining 0 in-flight request\(s\)/);
  });

  it('writes worker lines as JSON with the stage and worker when MOSEC_LOG_FORMAT=json', async () => {
    const server = await startService('test/fixtures/faults/main.js', { MOSEC_LOG_FORMAT: 'json' });
    try {
      expect((await post(`${server.url}/inference`, { throw: true })).status).toBe(500);
      await waitForLog(server, /a bug in user code/);
    } finally {
      await server.stop();
    }
    const lines = server.logs().split('\n').filter((line) => line.startsWith('{'));
    const error = lines.map((line) => JSON.parse(line)).find((entry) => String(entry.message).includes('a bug in user code'));
    expect(error).toMatchObject({ level: 'error', stage: 'Faulty' });
    expect([1, 2]).toContain(error.worker);
  });

  it('prefixes text worker lines with Stage#id', async () => {
    const server = await startService('test/fixtures/faults/main.js');
    try {
      await post(`${server.url}/inference`, { throw: true });
      await waitForLog(server, /a bug in user code/);
    } finally {
      await server.stop();
    }
    expect(server.logs()).toMatch(/\[Faulty#[12]\].*ERROR.*a bug in user code/);
  });

  it('hides info lines at MOSEC_LOG_LEVEL=error', async () => {
    const server = await startService('examples/echo/main.js', { MOSEC_LOG_LEVEL: 'error' });
    await server.stop();
    expect(server.logs()).not.toMatch(/spawned|worker\(s\) ready/);
  });

  it('MOSEC_DRY_RUN=1 pushes the examples through the pipeline, reports and exits 0', async () => {
    const server = await startService('examples/echo/main.js', { MOSEC_DRY_RUN: '1' }, { waitReady: false });
    expect(await exitOf(server, 30_000)).toBe(0);
    expect(server.logs()).toMatch(/dry run: POST \/inference: 1 example\(s\) passed through Preprocess → Inference → Postprocess/);
    // One worker per stage in a dry run.
    expect(server.logs()).not.toMatch(/Preprocess#2 spawned/);
  });

  it('a dry run that fails names the stage and exits non-zero', async () => {
    const server = await startService(
      'test/fixtures/faults/main.js',
      { MOSEC_DRY_RUN: '1', INGRESS_EXAMPLE: '{"throw": true}' },
      { waitReady: false },
    );
    expect(await exitOf(server, 30_000)).toBe(1);
    expect(server.logs()).toMatch(/dry run: POST \/inference failed in stage Faulty with 500/);
  });
});
