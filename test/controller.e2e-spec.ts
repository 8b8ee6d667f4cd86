import { exitOf, post, startService } from './support/server';

describe('an application with its own Nest controllers beside the pipelines', () => {
  it('serves both, and documents both in the OpenAPI document', async () => {
    const server = await startService('test/fixtures/with-controller/main.js');
    try {
      const status = await fetch(`${server.url}/status`);
      expect(status.status).toBe(200);
      expect(await status.json()).toEqual({ healthy: true });
      expect((await post(`${server.url}/inference`, { time: 0 })).status).toBe(200);
      const document = await (await fetch(`${server.url}/openapi/metadata.json`)).json();
      expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/status', '/inference', '/', '/metrics']));
    } finally {
      await server.stop();
    }
  });

  it('refuses to start, naming the route, when a controller already answers GET /', async () => {
    const server = await startService('test/fixtures/root-controller/main.js', {}, { waitReady: false });
    const code = await exitOf(server, 30_000);
    expect(code).not.toBe(0);
    expect(code).not.toBe('still running');
    expect(server.logs()).toMatch(/GET \/ is already served by the application .* serves the readiness check there: move one of them \(MosecModule option `readinessPath`/);
  });
});
