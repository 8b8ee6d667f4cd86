import { join } from 'node:path';
import { scrape, total } from './support/metrics';
import { DIST, eventually, exitWithin, isAlive, post, RunningServer, startCommand, waitForLog } from './support/server';

const FIXTURE = join(DIST, 'test/fixtures/options/main.js');

/** Starts the fixture in a process group of its own (to signal the whole group, as Ctrl-C does). */
function start(env: Record<string, string>): Promise<RunningServer> {
  return startCommand(process.execPath, [FIXTURE], { env, detached: true });
}

/** Resolves once the service holds `count` requests (`mosec_service_remaining_task`). */
async function untilHeld(server: RunningServer, count: number, ms = 10_000): Promise<void> {
  const holding = async () => total(await scrape(server.url), 'mosec_service_remaining_task') === count;
  await eventually(holding, ms, () => `the service did not hold ${count} request(s) within ${ms} ms:\n${server.logs()}`);
}

describe('drain at shutdown', () => {
  it('cuts a request longer than shutdownTimeout and still exits 0 within that budget', async () => {
    // The service timeout (30 s) would let the 20 s request finish; the drain budget is 1 s.
    const server = await start({ MOSEC_TIMEOUT: '30000', MODULE_OPTIONS: JSON.stringify({ shutdownTimeout: 1000 }) });
    try {
      const long = post(`${server.url}/act`, { sleepMs: 20_000 }).catch((error: Error) => error);
      await untilHeld(server, 1);
      const began = Date.now();
      server.proc.kill('SIGTERM');
      expect(await exitWithin(server, 15_000)).toBe(0);
      // 1 s of drain, then the workers stop (about 2 s in all here): far less than the 20 s the request wanted.
      expect(Date.now() - began).toBeLessThan(8_000);
      expect(server.logs()).toMatch(/SIGTERM: draining 1 in-flight request\(s\), for up to 1000 ms/);
      expect(server.logs()).toMatch(/drained 0 request\(s\), 1 left unanswered at the timeout/);
      // Its client sees the connection close without an answer.
      expect(await long).toMatchObject({ cause: { code: 'UND_ERR_SOCKET' } });
    } finally {
      await server.stop();
    }
  }, 30_000);

  it('on SIGINT to the whole process group (Ctrl-C) drains as on SIGTERM: in-flight requests finish, new ones get 503, exit 0', async () => {
    // One worker serves the three in turn: 3 s of work, inside a 10 s service timeout.
    const server = await start({ MOSEC_TIMEOUT: '10000' });
    const workers = server.workerPids();
    try {
      const inFlight = Array.from({ length: 3 }, () => post(`${server.url}/act`, { sleepMs: 1000 }));
      await untilHeld(server, 3);
      // The workers get the SIGINT too, and ignore it: the HTTP process tells them when to go.
      process.kill(-server.proc.pid!, 'SIGINT');
      await waitForLog(server, /SIGINT: draining 3 in-flight request\(s\)/);
      expect(await post(`${server.url}/act`, {})).toMatchObject({ status: 503, body: 'gracefully shutting down' });
      expect((await Promise.all(inFlight)).map((a) => [a.status, JSON.parse(a.body).slept])).toEqual(Array(3).fill([200, 1000]));
      expect(await exitWithin(server, 15_000)).toBe(0);
      expect(workers.filter(isAlive)).toEqual([]);
    } finally {
      await server.stop();
    }
  }, 30_000);
});
