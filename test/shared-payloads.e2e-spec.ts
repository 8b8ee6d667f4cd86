import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { remainingTasks } from './support/load';
import { all, command, describeNeeding } from './support/prerequisites';
import { allExited, eventually, freePort, post, RunningServer, sleep, startService, waitForLog } from './support/server';

const RELAY = 'test/fixtures/relay/main.js';

/** A JSON body of about `mib` MiB that says how long the middle stage sleeps. */
function largeBody(mib: number, sleepMs = 0): string {
  return JSON.stringify({ sleepMs, text: 'x'.repeat(mib * 1024 * 1024) });
}

/** The directory the service's startup log names for its shared payloads. */
function sharedDir(server: RunningServer): string {
  const match = /go through (\/dev\/shm\/mosec-\S+)/.exec(server.logs());
  if (!match) throw new Error(`no shared payload directory in the log:\n${server.logs()}`);
  return match[1];
}

function workerPid(server: RunningServer, label: string): number {
  const match = new RegExp(`${label} spawned \\(pid (\\d+)\\)`).exec(server.logs());
  if (!match) throw new Error(`no ${label} in the log`);
  return Number(match[1]);
}

const empty = (dir: string) => () => readdirSync(dir).length === 0;

describe('large payloads between stages through /dev/shm (real processes)', () => {
  let server: RunningServer;
  let dir: string;
  beforeAll(async () => {
    server = await startService(RELAY, { MOSEC_TIMEOUT: '3000' });
    await waitForLog(server, /go through \/dev\/shm/);
    dir = sharedDir(server);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('keeps them in an owner-only directory and passes a large body through three stages intact', async () => {
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const body = largeBody(3);
    const answer = await post(`${server.url}/relay`, body);
    expect(answer.status).toBe(200);
    expect(answer.body).toBe(body);
    await eventually(empty(dir), 2000);
  });

  it('holds a payload as an owner-only file while it waits for its stage, and deletes it once read', async () => {
    const slow = post(`${server.url}/relay`, largeBody(1, 1500));
    await sleep(300);
    const waiting = post(`${server.url}/relay`, largeBody(1));
    await eventually(() => readdirSync(dir).length > 0, 2000);
    for (const name of readdirSync(dir)) expect(statSync(join(dir, name)).mode & 0o777).toBe(0o600);
    expect((await slow).status).toBe(200);
    expect((await waiting).status).toBe(200);
    await eventually(empty(dir), 2000);
  });

  it('deletes what a worker held when it is killed, and serves on with its replacement', async () => {
    const held = post(`${server.url}/relay`, largeBody(1, 2000));
    const queued = post(`${server.url}/relay`, largeBody(1));
    await sleep(400);
    process.kill(workerPid(server, 'Second#1'), 'SIGKILL');
    expect((await held).status).toBe(500);
    // The queued one goes to the replacement, or times out if it is not warm in time: either way it is answered.
    expect([200, 408, 500]).toContain((await queued).status);
    await eventually(empty(dir), 6000);
    const body = largeBody(1);
    await eventually(() => /Second#1 ready \(pid/.test(server.logs().split('Second#1 spawned').pop()!), 15_000);
    expect((await post(`${server.url}/relay`, body)).body).toBe(body);
  });

  it('deletes the payloads of requests that time out', async () => {
    // The first holds the middle stage past the 3 s timeout; the others, sent once it does, time out in its queue.
    const holding = post(`${server.url}/relay`, largeBody(1, 4000));
    await sleep(300);
    const queued = [largeBody(1), largeBody(1)].map((body) => post(`${server.url}/relay`, body));
    const answers = await Promise.all([holding, ...queued]);
    expect(answers.map((answer) => answer.status)).toEqual([408, 408, 408]);
    await eventually(empty(dir), 6000);
  });

  it('removes the directory when the service stops', async () => {
    expect(await server.stop()).toBe(0);
    expect(existsSync(dir)).toBe(false);
  });
});

describe('shared payloads outlive no service', () => {
  it('removes the directory when the HTTP process is killed with SIGKILL', async () => {
    const server = await startService(RELAY);
    await waitForLog(server, /go through \/dev\/shm/);
    const dir = sharedDir(server);
    // The second one's payload waits in the directory while the first holds the middle stage.
    const inFlight = [largeBody(2, 3000), largeBody(2)].map((body) => post(`${server.url}/relay`, body).catch(() => undefined));
    await eventually(() => readdirSync(dir).length > 0, 3000);
    const workers = server.workerPids();
    server.proc.kill('SIGKILL');
    await Promise.all(inFlight);
    await eventually(() => !existsSync(dir), 5000);
    await allExited(workers, 5000);
  });

  it("goes through the HTTP process's frames with MOSEC_IPC=socket, with the same answers", async () => {
    const server = await startService(RELAY, { MOSEC_IPC: 'socket' });
    try {
      const body = largeBody(2);
      const answer = await post(`${server.url}/relay`, body);
      expect(answer.body).toBe(body);
      expect(server.logs()).not.toMatch(/go through \/dev\/shm/);
    } finally {
      await server.stop();
    }
  });

  it('sends payloads under MOSEC_IPC_THRESHOLD through the frames, and those over it through /dev/shm', async () => {
    const server = await startService(RELAY, { MOSEC_IPC_THRESHOLD: String(1024 * 1024) });
    try {
      await waitForLog(server, /payloads of 1 MiB or more between stages go through \/dev\/shm/);
      const dir = sharedDir(server);
      /** What the directory holds while a body of `mib` MiB waits behind one that holds the middle stage. */
      const heldFor = async (mib: number) => {
        const holding = post(`${server.url}/relay`, largeBody(1, 1500));
        await sleep(300);
        const waiting = post(`${server.url}/relay`, largeBody(mib));
        await eventually(async () => (await remainingTasks(server.url)) === 2, 5000);
        const held = readdirSync(dir).length;
        expect((await Promise.all([holding, waiting])).map((answer) => answer.status)).toEqual([200, 200]);
        return held;
      };
      expect(await heldFor(0.5)).toBe(0);
      expect(await heldFor(2)).toBeGreaterThan(0);
    } finally {
      await server.stop();
    }
  });

  it('refuses a bad MOSEC_IPC at startup, naming it', async () => {
    await expect(startService(RELAY, { MOSEC_IPC: 'memcached' })).rejects.toThrow(/MOSEC_IPC must be shm, socket or a redis:\/\/ URL/);
  });
});

const REDIS = all(command('redis-server', 'apt-get install -y redis-server'), command('redis-cli', 'apt-get install -y redis-tools'));

describeNeeding(REDIS, 'large payloads between stages through Redis, run as a daemon (real redis-server)', () => {
  let server: RunningServer;
  let port: number;
  const keys = () => Number(execFileSync('redis-cli', ['-p', String(port), 'dbsize']).toString().trim());
  beforeAll(async () => {
    port = await freePort();
    server = await startService(RELAY, { REDIS_PORT: String(port), MOSEC_TIMEOUT: '3000' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('passes large bodies through Redis and leaves no key behind', async () => {
    expect(server.logs()).toMatch(new RegExp(`go through Redis at redis://127.0.0.1:${port}`));
    const bodies = [largeBody(2), largeBody(1), largeBody(3)];
    const answers = await Promise.all(bodies.map((body) => post(`${server.url}/relay`, body)));
    expect(answers.map((answer) => answer.body)).toEqual(bodies);
    await eventually(() => keys() === 0, 2000);
  });

  it('deletes the keys of requests that time out', async () => {
    const holding = post(`${server.url}/relay`, largeBody(1, 4000));
    await sleep(300);
    const answers = await Promise.all([holding, post(`${server.url}/relay`, largeBody(1))]);
    expect(answers.map((answer) => answer.status)).toEqual([408, 408]);
    await eventually(() => keys() === 0, 6000);
  });

  it('stops redis-server with the service', async () => {
    expect(await server.stop()).toBe(0);
    expect(() => execFileSync('redis-cli', ['-p', String(port), 'ping'], { stdio: 'pipe' })).toThrow();
  });
});
