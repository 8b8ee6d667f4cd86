import { post } from './support/server';
import { sharedService } from './support/shared-service';
import { scrape, total } from './support/metrics';

describe("maxWaitTime: 'auto', the default (echo example, whose batching stage sets none)", () => {
  it('does not make a lone request wait for a batch, and still batches under concurrency', async () => {
    const server = await sharedService('examples/echo/main.js');
    const url = `${server.url}/inference`;
    const times: number[] = [];
    for (let i = 0; i < 30; i++) {
      const began = performance.now();
      expect((await post(url, { time: 0 })).status).toBe(200);
      times.push(performance.now() - began);
    }
    // A fixed 10 ms wait puts every lone request above 10 ms; the adaptive wait does not wait at all.
    // The fastest of 30, not the median: a busy machine slows some requests, not every one.
    expect(Math.min(...times)).toBeLessThan(9);

    const before = await scrape(server.url);
    for (let round = 0; round < 5; round++) {
      const answers = await Promise.all(Array.from({ length: 64 }, () => post(url, { time: 0.01 })));
      expect(answers.every((a) => a.status === 200)).toBe(true);
    }
    const after = await scrape(server.url);
    const batched = (name: string) => total(after, name, { stage: 'Inference' }) - total(before, name, { stage: 'Inference' });
    expect(batched('mosec_service_batch_size_sum')).toBe(320);
    expect(batched('mosec_service_batch_size_sum') / batched('mosec_service_batch_size_count')).toBeGreaterThan(2);
  });
});
