import { exitOf, post, startService } from './support/server';

/** Mistakes a new user makes: each ends in one message that names the cause and the fix. */
describe('a misconfigured application', () => {
  async function failedStart(mistake: string): Promise<string> {
    const server = await startService('test/fixtures/misconfigured/main.js', { MISTAKE: mistake }, { waitReady: false });
    const code = await exitOf(server, 30_000);
    expect(code).not.toBe(0);
    expect(code).not.toBe('still running');
    return server.logs();
  }

  it('a stage that injects what only the application provides: Nest says what, the service says why', async () => {
    const logs = await failedStart('global-config');
    expect(logs).toMatch(/stage NeedsConfig \(worker 1\) failed to start: Nest can't resolve dependencies of the NeedsConfig \(\?\)/);
    expect(logs).toMatch(/ConfigService at index \[0\] is available in the NeedsConfigPipeline module/);
    const hint = /A worker builds only its pipeline module NeedsConfigPipeline .* must also be in NeedsConfigPipeline's @Module\(\{ imports \}\)/g;
    expect(logs.match(hint)).toHaveLength(1);
  });

  it('a pipeline module imported by the application: refused before any model could load', async () => {
    const logs = await failedStart('imports-its-pipeline');
    expect(logs).toMatch(/EchoPipeline is imported by ImportsItsPipelineApp: a pipeline module is built in its worker processes only/);
    expect(logs).not.toMatch(/spawned/);
  });

  it("nest new's Express main.ts: says the Fastify adapter is needed", async () => {
    const logs = await failedStart('express');
    expect(logs).toMatch(/MosecModule needs the Fastify adapter: NestFactory.create\(AppModule, new FastifyAdapter\(\)\)/);
    expect(logs).not.toMatch(/TypeError/);
    expect(logs).not.toMatch(/spawned/);
  });

  it('a BatchWorker without maxBatchSize: its requests fail, and the log says why, once', async () => {
    const server = await startService('test/fixtures/misconfigured/main.js', { MISTAKE: 'batch-worker-without-size' });
    try {
      for (let i = 0; i < 3; i++) expect((await post(`${server.url}/doubles`, 21)).status).toBe(500);
      const hint = /Doubles takes one item per forward \(no maxBatchSize\), but its forward failed with a TypeError on a single item: if it is a BatchWorker \(forward takes an array\), give it @Stage\(\{ maxBatchSize: n \}\)/g;
      expect(server.logs().match(hint)).toHaveLength(1);
    } finally {
      await server.stop();
    }
  });

  it('a stage timeout written in seconds: one startup warning naming the stage and the value in ms', async () => {
    const server = await startService('test/fixtures/misconfigured/main.js', { MISTAKE: 'timeout-in-seconds' });
    try {
      expect((await post(`${server.url}/hasty`, { ok: 1 })).status).toBe(200);
      const warning = /@Stage Hasty: timeout 10 is in milliseconds, .*; for 10 seconds write timeout: 10000/g;
      expect(server.logs().match(warning)).toHaveLength(1);
    } finally {
      await server.stop();
    }
  });
});
