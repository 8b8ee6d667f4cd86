import { post, startServer } from './support/server';
import { scrape, total } from './support/metrics';

describe("maxWaitTime: 'auto', the default (echo example, whose batching stage sets none)", () => {
  it('does not make a lone request wait for a batch, and still batches under concurrency', async () => {
    const server = await startServer('examples/echo/main.js');
    try {
      const url = `${server.url}/inference`;
      const times: number[] = [];
      for (let i = 0; i < 30; i++) {
        const began = performance.now();
        expect((await post(url, { time: 0 })).status).toBe(200);
        times.push(performance.now() - began);
      }
      times.sort((a, b) => a - b);
      // A fixed 10 ms wait puts every lone request above 10 ms; the adaptive wait does not wait at all.
      expect(times[15]).toBeLessThan(8);

      const before = await scrape(server.url);
      for (let round = 0; round < 5; round++) {
        const answers = await Promise.all(Array.from({ length: 64 }, () => post(url, { time: 0.01 })));
        expect(answers.every((a) => a.status === 200)).toBe(true);
      }
      const after = await scrape(server.url);
      const items = total(after, 'mosec_service_batch_size_sum', { stage: 'Inference' }) - total(before, 'mosec_service_batch_size_sum', { stage: 'Inference' });
      const batches = total(after, 'mosec_service_batch_size_count', { stage: 'Inference' }) - total(before, 'mosec_service_batch_size_count', { stage: 'Inference' });
      expect(items).toBe(320);
      expect(items / batches).toBeGreaterThan(2);
    } finally {
      await server.stop();
    }
  });
});
