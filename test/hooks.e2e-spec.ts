import { post, RunningServer, sleep, startService } from './support/server';

describe('stage codec hooks and dropped tasks', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startService('test/fixtures/hooks/main.js');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('runs deserialize, serializeIpc, deserializeIpc and serialize of the stages that define them', async () => {
    const answer = await post(`${server.url}/sum`, '1,2,3', { 'content-type': 'text/plain' });
    expect(answer).toMatchObject({ status: 200, body: 'SUM=6 VIA CSV:1;2;3', type: 'text/plain; charset=utf-8' });
  });

  it('drops a queued task whose client went away before it reaches forward', async () => {
    const slow = `${server.url}/slow`;
    const first = post(slow, { id: 'first', ms: 800 });
    await sleep(150);
    const gone = new AbortController();
    const abandoned = fetch(slow, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'abandoned' }), signal: gone.signal });
    await sleep(150);
    gone.abort();
    await expect(abandoned).rejects.toMatchObject({ name: 'AbortError' });
    expect((await first).status).toBe(200);
    const after = JSON.parse((await post(slow, { id: 'after' })).body);
    expect(after.forwarded).toEqual(['first', 'after']);
  });
});
