import { RunningServer, startServer, waitForLog } from './support/server';

/**
 * A cancelled request reaches the stage working on it, whatever its kind: the `signal` of its forward
 * context aborts when the client disconnects, when the request times out, or when a `PipelineClient`
 * call's signal aborts (test/fixtures/cancellation: stages that wait for it and print what they saw).
 */
describe('cancellation reaches forward as context.signal', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer('test/fixtures/cancellation/main.js', { MOSEC_TIMEOUT: '3000' });
  });

  afterAll(async () => {
    await server?.stop();
  });

  /** POSTs `{ id }` and disconnects after `ms` (after the first event of a stream). */
  async function leaveAfter(path: string, id: string, ms: number): Promise<void> {
    const controller = new AbortController();
    const response = fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id }), signal: controller.signal });
    setTimeout(() => controller.abort(), ms);
    await response.then((r) => r.body?.getReader().read()).catch(() => undefined);
    controller.abort();
  }

  it('in a stage that does not batch, when its client disconnects', async () => {
    await leaveAfter('/hold', 'one-gone', 300);
    await waitForLog(server, /HoldOne saw one-gone cancelled/, 2000);
  });

  it('in a batching stage, for the item whose client left', async () => {
    await leaveAfter('/hold-batch', 'batch-gone', 300);
    await waitForLog(server, /HoldBatch saw batch-gone cancelled/, 2000);
  });

  it('in a streaming stage, when its client leaves after the first event', async () => {
    await leaveAfter('/hold-stream', 'stream-gone', 100);
    await waitForLog(server, /HoldStream saw stream-gone cancelled/, 2000);
  });

  it('when the request times out (408)', async () => {
    const response = await fetch(`${server.url}/hold`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'too-slow' }) });
    expect(response.status).toBe(408);
    await waitForLog(server, /HoldOne saw too-slow cancelled/, 2000);
  });

  it('when a PipelineClient call is aborted through its signal', async () => {
    const response = await fetch(`${server.url}/call?id=called&abortMs=300`);
    expect(await response.text()).toBe('AbortError');
    await waitForLog(server, /HoldOne saw called cancelled/, 2000);
  });
});
