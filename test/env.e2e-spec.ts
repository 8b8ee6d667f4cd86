import { post, RunningServer, startService } from './support/server';

describe('env example: each worker has its own environment', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startService('examples/env/main.js');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('answers from all four workers, each with the DEVICE of its env entry, set before it was built', async () => {
    const seen = new Map<number, { device: string; initDevice: string; pid: number }>();
    for (let round = 0; round < 20 && seen.size < 4; round++) {
      const answers = await Promise.all(Array.from({ length: 12 }, () => post(`${server.url}/inference`, {})));
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        const body = JSON.parse(answer.body);
        seen.set(body.workerId, body);
      }
    }
    expect([...seen.keys()].sort()).toEqual([1, 2, 3, 4]);
    for (const [workerId, body] of seen) {
      expect(body.device).toBe(`cuda:${workerId - 1}`);
      expect(body.initDevice).toBe(body.device);
    }
    expect(new Set([...seen.values()].map((body) => body.pid)).size).toBe(4);
  });
});
