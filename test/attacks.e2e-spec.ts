import { ANSWERS } from '../libs/mosec/src/mosec.messages';
import { Agent, request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';
import { remainingTasks, rss, stagePids } from './support/load';
import { allExited, eventually, exitWithin, post, RunningServer, sleep, startService, waitForLog } from './support/server';
import { closed, open } from './support/sockets';

/**
 * What hostile or broken clients and sick processes do, at a scale of seconds on loopback (the full
 * size is `npm run attack`). Each of these held the service or took it down before it had the limit
 * that the test checks.
 */
const FIXTURE = 'test/fixtures/attack/main.js';

/** Writes `bytes`, one byte every `everyMs`, until the socket closes. */
function trickle(socket: Socket, bytes: string, everyMs: number): void {
  let at = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || at >= bytes.length) return clearInterval(timer);
    socket.write(bytes[at++]);
  }, everyMs);
  socket.once('close', () => clearInterval(timer));
}

describe('slow clients and idle connections', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startService(FIXTURE, { MOSEC_TIMEOUT: '1000', MOSEC_READ_TIMEOUT: '2000', MOSEC_HEADERS_TIMEOUT: '1000' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('closes bodies that never finish, headers that never end, and connections that never speak', async () => {
    const began = Date.now();
    const header = 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n';
    const sockets = await Promise.all(Array.from({ length: 12 }, () => open(server)));
    const outcomes = sockets.map((socket) => closed(socket, began));
    // A body of 1 MB sent at one byte a second; a body short of its length, then silence; a chunk
    // that never completes; headers at one byte every 200 ms; nothing at all.
    sockets[0].write(`${header}Content-Length: 1000000\r\n\r\n`);
    trickle(sockets[0], '{'.repeat(100), 1000);
    sockets[1].write(`${header}Content-Length: 100\r\n\r\n{"ms":`);
    sockets[2].write(`${header}Transfer-Encoding: chunked\r\n\r\n100\r\n{"ms"`);
    trickle(sockets[3], `${header}Content-Length: 2\r\n\r\n{}`, 200);
    // sockets 4..11 say nothing.
    const results = await Promise.all(outcomes);
    for (const { afterMs } of results) expect(afterMs).toBeLessThan(8_000);
    // Those that began a request are told why.
    for (const { answer } of results.slice(0, 3)) expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect((await post(`${server.url}/echo`, {})).status).toBe(200);
  }, 20_000);

  it('answers 431, not a bodiless 400, for a request with more headers than Node keeps', async () => {
    const socket = await open(server);
    const outcome = closed(socket, Date.now());
    // 2,100 short headers: under Node's 16 KiB of headers, over the 2,000 it keeps.
    const many = 'a:1\r\n'.repeat(2100);
    socket.write(`POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${many}Content-Length: 2\r\n\r\n{}`);
    expect((await outcome).answer).toMatch(/^HTTP\/1\.1 431 /);
  });
});

describe('bytes in flight', () => {
  const MiB = 2 ** 20;

  it('refuses uploads past the budget (and past capacity) when their headers arrive, and holds little memory', async () => {
    const server = await startService(FIXTURE, {
      MOSEC_MAX_REQUEST_SIZE: String(4 * MiB),
      MOSEC_MAX_BYTES_IN_FLIGHT: String(16 * MiB),
      MOSEC_READ_TIMEOUT: '20000',
    });
    try {
      const before = rss(server.proc.pid!);
      // 12 uploads of 4 MiB, each held one byte short of its length.
      const sockets = await Promise.all(Array.from({ length: 12 }, () => open(server)));
      const answers = sockets.map((socket) => {
        let answer = '';
        socket.on('data', (data) => (answer += data));
        socket.on('error', () => undefined);
        socket.write(`POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${4 * MiB}\r\n\r\n`);
        socket.write(Buffer.alloc(4 * MiB - 1, 0x20));
        return () => answer;
      });
      await sleep(1500);
      const refused = answers.filter((answer) => /^HTTP\/1\.1 429 /.test(answer())).length;
      // 16 MiB hold 4 of them; the others were told at once.
      expect(refused).toBe(8);
      expect(answers.map((answer) => answer()).join('')).toContain('request bytes in flight are at their limit');
      expect((rss(server.proc.pid!) - before) / MiB).toBeLessThan(100);
      sockets.forEach((socket) => socket.destroy());
      await sleep(200);
      expect((await post(`${server.url}/echo`, {})).status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it('counts requests whose body is still arriving against capacity', async () => {
    const server = await startService(FIXTURE, { MOSEC_CAPACITY: '3', MOSEC_READ_TIMEOUT: '20000' });
    try {
      const sockets = await Promise.all(Array.from({ length: 5 }, () => open(server)));
      const answers = sockets.map((socket) => {
        let answer = '';
        socket.on('data', (data) => (answer += data));
        socket.write('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{');
        return () => answer;
      });
      await sleep(800);
      expect(answers.filter((answer) => /^HTTP\/1\.1 429 .*task queue is full/s.test(answer())).length).toBe(2);
      sockets.forEach((socket) => socket.destroy());
    } finally {
      await server.stop();
    }
  });
});

describe('sick workers', () => {
  it('replaces a stopped worker (kill -STOP) once its heartbeats stop, and answers its tasks', async () => {
    const server = await startService(FIXTURE, { MOSEC_HEARTBEAT_TIMEOUT: '2000', MOSEC_TIMEOUT: '1000' });
    try {
      const [frozen] = stagePids(server, 'Batch').values();
      process.kill(frozen, 'SIGSTOP');
      const began = Date.now();
      // Requests keep coming while it is stopped: they time out, and leave the queue when they do.
      const during = Array.from({ length: 20 }, (_, i) => sleep(i * 100).then(() => post(`${server.url}/echo`, {})));
      await eventually(async () => (await post(`${server.url}/echo`, {})).status === 200, 10_000, () => `no replacement served:\n${server.logs()}`);
      // Each answered: served (before the stop, or by the replacement) or timed out, with mosec's text.
      const outcomes = await Promise.all(during);
      expect(outcomes.filter((a) => a.status !== 200 && !(a.status === 408 && a.body === ANSWERS.timeout))).toEqual([]);
      expect(server.logs()).toMatch(/Batch#1 \(pid \d+\) killed: silent for \d+ ms \(stopped, or its event loop blocked\): no heartbeat/);
      expect(await remainingTasks(server.url)).toBe(0);
    } finally {
      await server.stop();
    }
  });

  it('says not ready while a stage has no live worker, and keeps the requests sent meanwhile for its replacement', async () => {
    const server = await startService(FIXTURE, { MOSEC_HEARTBEAT_TIMEOUT: '1000', MOSEC_TIMEOUT: '20000' });
    try {
      const [pid] = stagePids(server, 'Batch').values();
      process.kill(pid, 'SIGKILL');
      const readiness = async () => {
        const answer = await fetch(`${server.url}/`);
        return { status: answer.status, body: await answer.text() };
      };
      let notReady: { status: number; body: string } | undefined;
      await eventually(async () => (notReady = await readiness()).status === 503, 10_000, () => `never 503:\n${server.logs()}`);
      expect(notReady).toEqual({ status: 503, body: 'service is not ready' });
      // Sent while the stage has no worker: it waits in the queue, within its timeout, and is served.
      const meanwhile = post(`${server.url}/echo`, {});
      await eventually(async () => (await readiness()).status === 200, 15_000, () => `not ready again:\n${server.logs()}`);
      expect((await meanwhile).status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it('keeps running when a worker must be replaced while fork fails (no file descriptors), and serves once it can', async () => {
    const server = await startService(FIXTURE, {});
    // One connection, kept: a new one could not be accepted while the descriptors are gone.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const exhausted = JSON.parse(await call(agent, server, 'POST', '/test/exhaust-fds'));
      expect(exhausted.error).toBe('EMFILE');
      const [pid] = stagePids(server, 'Batch').values();
      process.kill(pid, 'SIGKILL');
      await sleep(1500);
      expect(server.proc.exitCode).toBeNull();
      expect(server.logs()).toMatch(/Batch#1 failed: could not start a process: .*EMFILE.*; replacing it in \d+ ms/);
      expect(await call(agent, server, 'GET', '/')).toBe('service is not ready');
      await call(agent, server, 'POST', '/test/release-fds');
      await eventually(async () => (await call(agent, server, 'GET', '/')) === 'MOSEC service', 10_000, () => `not ready again:\n${server.logs()}`);
      expect((await post(`${server.url}/echo`, {})).status).toBe(200);
    } finally {
      agent.destroy();
      await server.stop();
    }
  });

  it('answers /metrics at once while a worker is stopped', async () => {
    const server = await startService(FIXTURE, { MOSEC_HEARTBEAT_TIMEOUT: '60000' });
    const [pid] = stagePids(server, 'Pass').values();
    try {
      process.kill(pid, 'SIGSTOP');
      await fetch(`${server.url}/metrics`); // the first scrape waits for the stopped worker's answer, once
      const began = Date.now();
      for (let i = 0; i < 3; i++) expect((await fetch(`${server.url}/metrics`)).status).toBe(200);
      // Asked again each time, the stopped worker would hold each scrape its 500 ms: 1.5 s for three.
      expect(Date.now() - began).toBeLessThan(1200);
    } finally {
      process.kill(pid, 'SIGCONT');
      await server.stop();
    }
  });
});

describe('a paused HTTP process', () => {
  it('answers, once it runs again, the tasks whose results arrived while it was stopped', async () => {
    const server = await startService(FIXTURE, { MOSEC_TIMEOUT: '2000', BATCH_WAIT_MS: '100' });
    try {
      const inFlight = Array.from({ length: 8 }, () => post(`${server.url}/echo`, { ms: 400 }));
      // Once all 8 are in the worker (one batch, or more on a busy machine), the HTTP process stops.
      const forwarded = () => [...server.logs().matchAll(/Batch forward: (\d+) item\(s\) of 400 ms/g)].reduce((sum, [, n]) => sum + Number(n), 0);
      await eventually(() => forwarded() === 8, 10_000, () => `not all in the worker:\n${server.logs()}`);
      // Paused past every deadline; the worker answers meanwhile, into its socket.
      server.proc.kill('SIGSTOP');
      await sleep(4000);
      server.proc.kill('SIGCONT');
      expect((await Promise.all(inFlight)).map((answer) => answer.status)).toEqual(Array(8).fill(200));
    } finally {
      server.proc.kill('SIGCONT');
      await server.stop();
    }
  });

  it('replaces a worker that dies after it was ready at once, not after a failed start\'s back-off', async () => {
    const server = await startService(FIXTURE, {});
    try {
      const [pid] = stagePids(server, 'Batch').values();
      process.kill(pid, 'SIGKILL');
      await waitForLog(server, /Batch#1 exited \(SIGKILL\); replacing it/);
      expect(server.logs()).toMatch(/Batch#1 exited \(SIGKILL\); replacing it\n/);
    } finally {
      await server.stop();
    }
  });
});

describe('signals', () => {
  it('drains through a second SIGTERM: 16 one-second requests get 200, then exit 0', async () => {
    const server = await startService(FIXTURE, { MOSEC_TIMEOUT: '5000' });
    const inFlight = Array.from({ length: 16 }, () => post(`${server.url}/echo`, { ms: 1000 }));
    await sleep(200);
    server.proc.kill('SIGTERM');
    await sleep(300);
    server.proc.kill('SIGTERM');
    expect((await Promise.all(inFlight)).map((answer) => answer.status)).toEqual(Array(16).fill(200));
    expect(await exitWithin(server, 10_000)).toBe(0);
    expect(server.logs()).toMatch(/SIGTERM again: ignored while draining; SIGQUIT \(Ctrl-\\\) or SIGKILL stops the service at once/);
  });

  it('stops at once on SIGQUIT during a drain, taking its workers', async () => {
    const server = await startService(FIXTURE, { MOSEC_TIMEOUT: '10000' });
    const workers = server.workerPids();
    const inFlight = post(`${server.url}/echo`, { ms: 8000 }).catch(() => undefined);
    await sleep(200);
    server.proc.kill('SIGTERM');
    await sleep(300);
    server.proc.kill('SIGQUIT');
    expect(await exitWithin(server, 3_000)).not.toBe('still running');
    await inFlight;
    await allExited(workers, 3000);
  });
});

/** A request on `agent`'s kept-alive connection; resolves with the body. */
function call(agent: Agent, server: RunningServer, method: string, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${server.url}${path}`, { method, agent }, (response) => {
      let body = '';
      response.on('data', (data) => (body += data));
      response.on('end', () => resolve(body));
    });
    request.on('error', reject);
    request.end();
  });
}
