import { eventually, isAlive, post, RunningServer, sleep, startService } from './support/server';

const FAULTS = 'test/fixtures/faults/main.js';

describe('workers that misbehave', () => {
  let server: RunningServer;
  const url = () => `${server.url}/inference`;
  beforeAll(async () => {
    server = await startService(FAULTS);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('builds stages in the worker processes with their dependencies, id and env', async () => {
    const seen = new Map<number, any>();
    for (let i = 0; i < 40 && seen.size < 2; i++) {
      const answers = await Promise.all(Array.from({ length: 16 }, () => post(url(), { sleepMs: 20 })));
      for (const answer of answers) {
        const body = JSON.parse(answer.body);
        seen.set(body.workerId, body);
      }
    }
    expect([...seen.keys()].sort()).toEqual([1, 2]);
    for (const [workerId, body] of seen) {
      expect(body.stage).toBe('Faulty');
      expect(body.maxBatchSize).toBe(8);
      expect(body.greeting).toBe(`hello from ${workerId === 1 ? 'one' : 'two'}`);
      expect(body.constructedIn).toBe(body.pid);
      expect(body.pid).not.toBe(server.proc.pid);
    }
  });

  it('batches up to maxBatchSize under concurrency', async () => {
    const answers = await Promise.all(Array.from({ length: 40 }, () => post(url(), { sleepMs: 50 })));
    const sizes = answers.map((a) => JSON.parse(a.body).batchSize);
    expect(Math.max(...sizes)).toBeGreaterThan(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(8);
  });

  it('answers 500 without details when forward throws, and keeps serving', async () => {
    const answer = await post(url(), { throw: true });
    expect(answer).toMatchObject({ status: 500, body: 'inference internal error' });
    expect((await post(url(), {})).status).toBe(200);
  });

  it('fails the batch with 500 when forward returns the wrong number of results', async () => {
    const answer = await post(url(), { wrongSize: true });
    expect(answer).toMatchObject({ status: 500, body: 'inference internal error' });
    expect((await post(url(), {})).status).toBe(200);
  });

  it('answers the tasks of a worker that dies, replaces it, and loses nothing else', async () => {
    const before = server.workerPids();
    const [crashed, ...others] = await Promise.all([
      post(url(), { crash: true }),
      ...Array.from({ length: 20 }, (_, i) => sleep(i * 10).then(() => post(url(), { sleepMs: 30 }))),
    ]);
    expect(crashed).toMatchObject({ status: 500, body: 'inference internal error' });
    // Requests batched with the crashing one fail with it; every request gets an answer.
    expect(others.every((a) => a.status === 200 || a.status === 500)).toBe(true);
    await eventually(() => server.workerPids().length === before.length);
    await eventually(async () => (await post(url(), {})).status === 200);
    expect(server.logs()).toMatch(/Faulty#\d exited \(code 3\); replacing it/);
  });

  it('answers 408 for a forward stuck in a busy loop, kills and replaces that worker', async () => {
    const before = new Set(server.workerPids());
    const began = Date.now();
    const answer = await post(url(), { spin: true });
    expect(answer).toMatchObject({ status: 408, body: 'inference timeout' });
    expect(Date.now() - began).toBeLessThan(2500);
    await eventually(() => server.workerPids().filter((pid) => !before.has(pid)).length === 1);
    expect([...before].filter((pid) => !isAlive(pid)).length).toBe(1);
    await eventually(async () => (await post(url(), {})).status === 200);
  });

  it('answers 408 for a forward that never resolves, and keeps serving', async () => {
    const answer = await post(url(), { hang: true });
    expect(answer.status).toBe(408);
    await eventually(async () => (await post(url(), {})).status === 200);
  });

  it('replaces a worker killed from outside', async () => {
    // Ingress and Faulty's two: those killed by the tests before are back (repeated deaths make replacements wait).
    await eventually(() => server.workerPids().length === 3);
    const pids = server.workerPids();
    process.kill(pids[pids.length - 1], 'SIGKILL');
    await eventually(() => server.workerPids().length === pids.length && !server.workerPids().includes(pids[pids.length - 1]));
    const answers = await Promise.all(Array.from({ length: 16 }, () => post(url(), {})));
    expect(answers.every((a) => a.status === 200)).toBe(true);
  });
});
