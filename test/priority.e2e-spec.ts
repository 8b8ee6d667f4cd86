import { remainingTasks } from './support/load';
import { eventually, post, RunningServer, startService } from './support/server';

/** The options fixture's `/act`: one worker of a stage that does not batch, which answers the ids it has forwarded so far. */
const FIXTURE = 'test/fixtures/options/main.js';
const LOWS = 40;
const ITEM_MS = 20;

describe('request priority in a stage that does not batch', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startService(FIXTURE, { MOSEC_TIMEOUT: '30000' });
  });
  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });

  const act = (body: object, priority: string) => post(`${server.url}/act`, body, { 'x-mosec-priority': priority });

  it('sends frames of about 5 ms of forwards, so a high-priority request overtakes a backlog of low ones', async () => {
    // The stage learns that a forward takes ~20 ms, so a frame holds one.
    for (let i = 0; i < 5; i++) expect((await act({ sleepMs: ITEM_MS }, 'normal')).status).toBe(200);
    const lows = Array.from({ length: LOWS }, (_, i) => act({ id: `low-${i}`, sleepMs: ITEM_MS }, 'low'));
    await eventually(async () => (await remainingTasks(server.url)) >= LOWS - 10, 10_000);
    const high = await act({ id: 'high' }, 'high');
    expect(high.status).toBe(200);
    expect((await Promise.all(lows)).map((answer) => answer.status)).toEqual(Array(LOWS).fill(200));
    // What the worker had forwarded when it came to the high one: the lows queued behind it are not
    // there. A frame of the whole backlog (40 x 20 ms) would have held it back behind every one.
    const forwardedBefore = (JSON.parse(high.body).forwarded as string[]).filter((id) => id.startsWith('low-')).length;
    expect(LOWS - forwardedBefore).toBeGreaterThanOrEqual(20);
  });
});
