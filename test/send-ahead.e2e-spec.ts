import { setTimeout as sleep } from 'node:timers/promises';
import { post, startServer } from './support/server';

/**
 * A worker of a batching stage with long forwards holds its next batch before the current one ends.
 * When it dies, only the batch it was running fails: the one sent ahead is served by its replacement.
 */
describe('the next batch sent ahead to a busy worker', () => {
  it('is served by the replacement when the worker dies during the batch before it', async () => {
    const server = await startServer('test/fixtures/send-ahead/main.js');
    try {
      const url = `${server.url}/inference`;
      const batch = (body: object) => Promise.all(Array.from({ length: 4 }, () => post(url, body)));
      // A first batch teaches the stage how long its forward takes (300 ms).
      const warm = await batch({ sleepMs: 300 });
      expect(warm.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
      const firstPid = JSON.parse(warm[0].body).pid;

      // Runs 500 ms, then the worker exits; the next batch is sent to it about 300 ms in.
      const dying = batch({ sleepMs: 500, crash: true });
      await sleep(50);
      const next = batch({ sleepMs: 10 });
      expect((await dying).map((answer) => answer.status)).toEqual([500, 500, 500, 500]);
      const served = await next;
      expect(served.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
      expect(served.map((answer) => JSON.parse(answer.body))).toEqual(Array(4).fill({ pid: expect.any(Number), batch: 4 }));
      expect(JSON.parse(served[0].body).pid).not.toBe(firstPid);
    } finally {
      await server.stop();
    }
  });
});
