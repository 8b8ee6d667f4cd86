import { remainingTasks, runClients, timedPost } from './support/load';
import { eventually, post, RunningServer, startService } from './support/server';

/** The options fixture's `/act`: one worker of a stage that does not batch, which answers the ids it has forwarded so far. */
const FIXTURE = 'test/fixtures/options/main.js';
const LOWS = 40;
const ITEM_MS = 20;
/** The service timeout: a waiting task rises one level for each third of it. */
const TIMEOUT_MS = 6000;

describe('request priority in a stage that does not batch', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startService(FIXTURE, { MOSEC_TIMEOUT: String(TIMEOUT_MS) });
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

  it('serves a low-priority request behind a stream of high ones once it waited two thirds of the timeout, before its timeout', async () => {
    let lowAnswered = false;
    const high = () => timedPost(`${server.url}/act`, { sleepMs: 50 }, { headers: { 'content-type': 'application/json', 'x-mosec-priority': 'high' } });
    // Four clients keep high-priority work queued the whole time, until the low one is answered.
    const highs = runClients(4, Date.now() + TIMEOUT_MS + 5000, high, () => lowAnswered);
    await eventually(async () => (await remainingTasks(server.url)) >= 3, 5000);
    const began = Date.now();
    const low = await act({ id: 'starved' }, 'low');
    const waited = Date.now() - began;
    lowAnswered = true;
    expect((await highs).every((outcome) => outcome.status === 200)).toBe(true);
    expect(low.status).toBe(200);
    // Not before it rose to high (at 2/3 of the timeout), behind every high one queued meanwhile.
    expect(waited).toBeGreaterThanOrEqual(((TIMEOUT_MS * 2) / 3) * 0.9);
  });
});
