import { setTimeout as sleep } from 'node:timers/promises';
import { scrape, total } from './support/metrics';
import { post, RunningServer, startService } from './support/server';

/**
 * A worker of a batching stage with long forwards gets its next batch before the current one ends
 * (counted by `mosec_service_batch_sent_ahead_total`). When it dies, only the batch it was running is lost:
 * the one sent ahead is served by its replacement.
 */
describe('the next batch sent ahead to a busy worker', () => {
  let server: RunningServer;
  let url: string;
  const batch = (body: object) => Promise.all(Array.from({ length: 4 }, () => post(url, body)));
  const sentAhead = async () => total(await scrape(server.url), 'mosec_service_batch_sent_ahead_total', { stage: 'Slow' });

  beforeAll(async () => {
    server = await startService('test/fixtures/send-ahead/main.js');
    url = `${server.url}/inference`;
    // A first batch teaches the stage how long its forward takes (300 ms).
    const warm = await batch({ sleepMs: 300 });
    expect(warm.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('reaches the busy worker before its forward ends', async () => {
    const before = await sentAhead();
    // Three rounds, since a round whose requests a loaded machine splits into other batches may not
    // show it: without send-ahead none does.
    for (let round = 0; round < 3; round++) {
      const running = batch({ sleepMs: 300 });
      await sleep(50);
      // Closes after its 50 ms wait, while the only worker still runs the batch above. As long, so
      // that the stage's estimate of a 4-item forward stays 300 ms.
      const next = batch({ sleepMs: 300 });
      expect((await running).map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
      expect((await next).map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    }
    expect((await sentAhead()) - before).toBeGreaterThanOrEqual(1);
  });

  it('is served by the replacement when the worker dies during the batch before it', async () => {
    const firstPid = JSON.parse((await post(url, { sleepMs: 0 })).body).pid;
    // Runs 500 ms, then the worker exits; the next batch is sent to it about 300 ms in.
    const dying = batch({ sleepMs: 500, crash: true });
    await sleep(50);
    const next = batch({ sleepMs: 10 });
    // Each task of the lost batch runs once more, alone, and kills that worker too: 500.
    expect((await dying).map((answer) => answer.status)).toEqual([500, 500, 500, 500]);
    const served = await next;
    expect(served.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    expect(JSON.parse(served[0].body).pid).not.toBe(firstPid);
  });
});
