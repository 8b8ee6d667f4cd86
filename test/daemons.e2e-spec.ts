import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { command, describeNeeding } from './support/prerequisites';
import { DIST, eventually, exitOf, exitWithin, freePort, post, running, RunningServer, sleep, startCommand, startService } from './support/server';

const APP = 'test/fixtures/daemons/main.js';

const REDIS = command('redis-server', 'apt-get install -y redis-server');

/** The daemon's pid, as the service reports it when it has started it. */
function redisPid(server: RunningServer): number {
  const started = /daemon\(s\) started: redis \(pid (\d+)\)/.exec(server.logs());
  if (!started) throw new Error(`no daemon started:\n${server.logs()}`);
  return Number(started[1]);
}

function goneWithin(pid: number, ms: number): Promise<boolean> {
  return eventually(() => !running(pid), ms).then(() => true, () => false);
}

/** redis-server processes serving `port` (it names itself `redis-server 127.0.0.1:<port>`). */
function redisServing(port: number): number[] {
  try {
    return execFileSync('pgrep', ['-f', `redis-server 127.0.0.1:${port}$`]).toString().trim().split('\n').map(Number).filter(running);
  } catch {
    return [];
  }
}

describeNeeding(REDIS, 'daemons: a redis-server beside the workers (real processes)', () => {
  let redisPort: number;
  beforeEach(async () => {
    redisPort = await freePort();
  });
  afterEach(() => {
    // Nothing a failed test started may outlive it.
    for (const pid of redisServing(redisPort)) process.kill(pid, 'SIGKILL');
  });

  it('starts before the workers, logs its lines under its name, serves a stage that uses it; SIGTERM stops it', async () => {
    const server = await startService(APP, { REDIS_PORT: String(redisPort) });
    try {
      expect(await post(`${server.url}/count`, {})).toMatchObject({ status: 200, body: '{"hits":1}' });
      expect(await post(`${server.url}/count`, {})).toMatchObject({ status: 200, body: '{"hits":2}' });
      const logs = server.logs();
      expect(logs).toMatch(/\[redis\] .*Ready to accept connections/);
      expect(logs.indexOf('daemon(s) started: redis')).toBeLessThan(logs.indexOf('CountInRedis#1 spawned'));
      expect(redisServing(redisPort)).toEqual([redisPid(server)]);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(server.logs()).toMatch(/\[redis\] .*Received SIGTERM/);
    expect(server.logs()).toMatch(/daemon redis stopped/);
    expect(redisServing(redisPort)).toEqual([]);
  });

  it("a signal to the service's whole process group drains with the daemon still up, then stops it", async () => {
    const server = await startCommand(process.execPath, [join(DIST, APP)], { env: { REDIS_PORT: String(redisPort) }, detached: true });
    const pid = redisPid(server);
    try {
      const inFlight = post(`${server.url}/count`, { wait: 1000 });
      await sleep(300);
      process.kill(-server.proc.pid!, 'SIGTERM');
      // The request needs redis after the signal: the daemon is not in the group the signal reached.
      expect(await inFlight).toMatchObject({ status: 200, body: '{"hits":1}' });
      expect(await exitWithin(server, 15_000)).toBe(0);
    } finally {
      await server.stop();
    }
    expect(server.logs()).not.toMatch(/during the shutdown|while serving/);
    expect(await goneWithin(pid, 1000)).toBe(true);
  });

  it('when the daemon exits while serving, the service stops with exit code 1, naming it', async () => {
    const server = await startService(APP, { REDIS_PORT: String(redisPort) });
    const workers = server.workerPids().filter((pid) => pid !== redisPid(server));
    try {
      expect((await post(`${server.url}/count`, {})).status).toBe(200);
      process.kill(redisPid(server), 'SIGTERM');
      expect(await exitWithin(server, 15_000)).toBe(1);
    } finally {
      await server.stop();
    }
    expect(server.logs()).toMatch(/ERROR \[Mosec\] daemon redis exited with code 0 while serving: stopping the service \(exit code 1\)/);
    expect(workers.length).toBeGreaterThan(0);
    for (const pid of workers) expect(await goneWithin(pid, 2000)).toBe(true);
  });

  it('kill -9 of the service: the daemon does not outlive it', async () => {
    const server = await startService(APP, { REDIS_PORT: String(redisPort) });
    const pid = redisPid(server);
    server.proc.kill('SIGKILL');
    await server.exited;
    expect(await goneWithin(pid, 5000)).toBe(true);
  });

  it('a daemon that cannot be spawned fails the start, naming it, before any worker', async () => {
    const server = await startService(APP, { REDIS_PORT: String(redisPort), DAEMON_COMMAND: 'redis-server-not-installed' }, { waitReady: false });
    const code = await exitOf(server, 30_000);
    expect(code).toBe(1);
    expect(server.logs()).toMatch(/MosecModule could not start: daemon redis could not start: redis-server-not-installed not found \(ENOENT\)/);
    expect(server.logs()).not.toMatch(/spawned/);
  });

  it('a daemon that exits while the workers start fails the start, naming it, its own words in the log', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(redisPort, '127.0.0.1', resolve));
    try {
      const server = await startService(APP, { REDIS_PORT: String(redisPort) }, { waitReady: false });
      const code = await exitOf(server, 30_000);
      expect(code).toBe(1);
      expect(server.logs()).toMatch(/\[redis\] .*Address already in use/);
      expect(server.logs()).toMatch(/MosecModule could not start: daemon redis exited with code 1/);
    } finally {
      taken.close();
    }
  });
});
