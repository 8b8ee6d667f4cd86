import { Agent, get } from 'node:http';
import { allExited, exitOf, exitWithin, firstReadiness, isAlive, post, sleep, startService, waitForLog } from './support/server';

describe('service life cycle', () => {
  it('listens once every worker is warm, as mosec: no answer before, then 200', async () => {
    const server = await startService('test/fixtures/faults/main.js', { FAULTY_CONSTRUCT_DELAY_MS: '1500' }, { waitReady: false });
    try {
      expect(await firstReadiness(server, 20_000)).toBe(200);
      const logs = server.logs();
      expect(logs.indexOf('worker(s) ready')).toBeGreaterThan(-1);
      expect(logs.indexOf('worker(s) ready')).toBeLessThan(logs.indexOf('listening on'));
      expect((await post(`${server.url}/inference`, {})).status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it('on SIGTERM finishes in-flight requests, refuses new ones, stops its workers and exits 0', async () => {
    const server = await startService('examples/echo/main.js');
    const workers = server.workerPids();
    expect(workers.length).toBe(4);
    const inFlight = Array.from({ length: 10 }, () => post(`${server.url}/inference`, { time: 0.8 }));
    await sleep(200);
    server.proc.kill('SIGTERM');
    // Once the drain has begun (and while the 0.8 s requests hold it), a new request is refused.
    await waitForLog(server, /SIGTERM: draining/);
    expect(await post(`${server.url}/inference`, { time: 0 })).toMatchObject({ status: 503, body: 'gracefully shutting down' });
    const answers = await Promise.all(inFlight);
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(await server.exited).toBe(0);
    expect(workers.filter(isAlive)).toEqual([]);
    expect(server.logs()).toMatch(/SIGTERM: draining 10 in-flight request/);
  });

  it.each(['constructor', 'warmup'])('fails startup with a clear message when a stage breaks in its %s', async (where) => {
    const server = await startService('test/fixtures/broken/main.js', { BREAK_IN: where }, { waitReady: false });
    const code = await exitOf(server, 20_000);
    expect(code).not.toBe(0);
    expect(code).not.toBe('still running');
    // Named once, the right stage, not the light one before it (whose workers build only themselves).
    const logs = server.logs();
    expect(logs).toMatch(/MosecModule could not start: stage BrokenModel \(worker \d\) failed to start: Error: /);
    const cause = where === 'constructor' ? 'model file not found' : 'warm-up input rejected';
    expect(logs.split(cause).length - 1).toBe(1);
    expect(logs).not.toMatch(/stage Light/);
  });

  it('exits on SIGTERM even while a client holds a keep-alive connection it used during the drain', async () => {
    const server = await startService('examples/echo/main.js');
    // Prometheus keeps its connection open between scrapes: one scrape lands while the service stops.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect(await getWith(agent, `${server.url}/metrics`)).toBe(200);
      const began = Date.now();
      server.proc.kill('SIGTERM');
      await getWith(agent, `${server.url}/metrics`).catch(() => 0);
      const code = await exitWithin(server, 10_000);
      expect(code).toBe(0);
      expect(Date.now() - began).toBeLessThan(8_000);
    } finally {
      agent.destroy();
      await server.stop();
    }
  });

  it('takes a worker stuck in a busy loop with it when the main process is killed', async () => {
    const server = await startService('test/fixtures/faults/main.js', { MOSEC_TIMEOUT: '30000' });
    const workers = server.workerPids();
    const stuck = post(`${server.url}/inference`, { spin: true }).catch(() => undefined);
    await sleep(300);
    server.proc.kill('SIGKILL');
    await server.exited;
    await stuck;
    await allExited(workers, 3000).finally(() => workers.filter(isAlive).forEach((pid) => process.kill(pid, 'SIGKILL'))); // never leave a spinning process behind
  });

  it('takes its workers with it when the main process is killed', async () => {
    const server = await startService('examples/echo/main.js');
    const workers = server.workerPids();
    server.proc.kill('SIGKILL');
    await server.exited;
    await allExited(workers, 5000);
  });
});

/** A GET through `agent`, whose connection stays open afterwards (fetch gives no hold on that). */
function getWith(agent: Agent, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { agent }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    }).on('error', reject);
  });
}
