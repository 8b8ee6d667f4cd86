import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { ClientHttp2Session, connect as connectH2, constants as h2 } from 'node:http2';
import { parseMetrics, scrape, total } from './support/metrics';
import { parseEvents } from './support/sse';
import { eventually, RunningServer, sleep, startService } from './support/server';

/**
 * Edges of the service a client or a crash reaches: what a killed service left in /dev/shm, streams
 * whose client left, and HTTP/2 streams reset as soon as opened (the full size is `npm run attack`).
 */
const FIXTURE = 'test/fixtures/attack/main.js';
const EDGES = 'test/fixtures/edges/main.js';
const SHM = '/dev/shm';

/** A directory as a service leaves it: named after its owner (`mosec-<pid>-<start>-<pid namespace>-`), holding a payload. */
function leftBehind(owner: string): string {
  const dir = mkdtempSync(join(SHM, `mosec-${owner}`));
  writeFileSync(join(dir, 'w1-1'), 'payload');
  return dir;
}

function startTimeOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
}

describe('shared memory left by a killed service', () => {
  const made: string[] = [];
  let server: RunningServer | undefined;
  afterAll(async () => {
    await server?.stop();
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });

  it('removes the directories of dead owners at start and keeps the live ones', async () => {
    const pidNamespace = Number(/\d+/.exec(readlinkSync('/proc/self/ns/pid'))![0]);
    const exited = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const deadPid = Number(exited.stdout.toString());
    const start = startTimeOf(process.pid);
    const dead = leftBehind(`${deadPid}-1-${pidNamespace}-`);
    const reused = leftBehind(`${process.pid}-${start - 1}-${pidNamespace}-`); // our pid, an earlier process's
    const kept = leftBehind(`${process.pid}-${start}-${pidNamespace}-`);
    const otherNamespace = leftBehind(`${deadPid}-1-1-`);
    const unknown = leftBehind('test-'); // an older version's name, which records no owner
    made.push(dead, reused, kept, otherNamespace, unknown);

    server = await startService(FIXTURE);

    expect(existsSync(dead)).toBe(false);
    expect(existsSync(reused)).toBe(false);
    expect(existsSync(kept)).toBe(true);
    expect(existsSync(otherNamespace)).toBe(true);
    expect(existsSync(unknown)).toBe(true);
    expect(server.logs()).toContain(`removed ${dead}, left by pid ${deadPid}, which is gone`);
    expect(server.logs()).toContain(`removed ${reused}, left by pid ${process.pid}`);
    // The service's own directory says whose it is.
    const own = /go through (\/dev\/shm\/mosec-\S+)/.exec(server.logs())![1];
    expect(own).toMatch(new RegExp(`^/dev/shm/mosec-${server.proc.pid}-${startTimeOf(server.proc.pid!)}-${pidNamespace}-`));
  });
});

/** Opens a stream of `/ticks`; resolves once `events` events arrived, with a way to leave and the stream's whole text. */
function listen(url: string, body: object, events: number): Promise<{ leave(): void; text: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${url}/ticks`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (response) => {
      let text = '';
      const text$ = new Promise<string>((done) => response.on('end', () => done(text)).on('close', () => done(text)));
      const leave = () => request.destroy();
      let resolved = false;
      response.on('data', (chunk) => {
        text += chunk;
        if (!resolved && parseEvents(text).length >= events) {
          resolved = true;
          resolve({ leave, text: text$ });
        }
      });
    });
    request.on('error', (error) => (request.destroyed ? undefined : reject(error)));
    request.end(JSON.stringify(body));
  });
}

const made = async (url: string) => total(await scrape(url), 'stream_events_made_total');

describe('streams whose client has gone', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startService(EDGES);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('stops the worker at its next event once the client leaves', async () => {
    const before = await made(server.url);
    const stream = await listen(server.url, { count: 400, everyMs: 25 }, 3);
    stream.leave();
    await sleep(500);
    const stopped = (await made(server.url)) - before;
    await sleep(1000);
    // Without the cancel the loop goes on for its 10 s: about 40 more events in that second.
    expect((await made(server.url)) - before).toBe(stopped);
    expect(stopped).toBeLessThan(40);
  });

  it('keeps streaming to the clients of a batch that stay', async () => {
    const [leaving, staying] = await Promise.all([listen(server.url, { count: 60, everyMs: 20 }, 2), listen(server.url, { count: 60, everyMs: 20 }, 2)]);
    leaving.leave();
    const events = parseEvents(await staying.text);
    expect(events.map((event) => event.data)).toEqual(Array.from({ length: 60 }, (_, tick) => `tick ${tick}`));
  });
});

/** An h2c session once connected; undefined if the server does not take it. */
function openH2(url: string): Promise<ClientHttp2Session | undefined> {
  return new Promise((resolve) => {
    const session = connectH2(url);
    session.on('error', () => resolve(undefined));
    session.once('connect', () => resolve(session));
  });
}

/** A GET over an h2c session: the status and the body. */
function h2Get(session: ClientHttp2Session, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':path': path });
    let status = 0;
    let body = '';
    stream.on('response', (headers) => (status = Number(headers[':status'])));
    stream.on('data', (chunk) => (body += chunk));
    stream.on('error', reject);
    stream.on('close', () => (status ? resolve({ status, body }) : reject(new Error(`${path}: no answer`))));
  });
}

describe('HTTP/2 streams reset as soon as opened (rapid reset)', () => {
  let server: RunningServer;
  let probe: ClientHttp2Session;
  const metric = async (name: string, where: Record<string, string>) => total(parseMetrics((await h2Get(probe, '/metrics')).body), name, where);
  /** Items the batching stage ran. */
  const batched = () => metric('mosec_service_batch_size_sum', { stage: 'Batch' });
  /** Requests that reached the route (answered with any status). */
  const routed = () => metric('mosec_service_throughput', { endpoint: '/echo' });

  beforeAll(async () => {
    server = await startService(EDGES, { EDGES_HTTP2: '1', MOSEC_MAX_STREAM_RESETS: '50' }, { waitReady: false });
    const readyOverH2 = async () => {
      const session = await openH2(server.url);
      if (session && (await h2Get(session, '/').catch(() => ({ status: 0 }))).status === 200) {
        probe = session;
        return true;
      }
      session?.destroy();
      return false;
    };
    await eventually(readyOverH2, 30_000, () => `not ready over h2c:\n${server.logs()}`);
  });
  afterAll(async () => {
    probe?.destroy();
    await server?.stop();
  });

  it('runs no work for reset streams and closes a connection past the cap with ENHANCE_YOUR_CALM', async () => {
    const before = await batched();
    const routedBefore = await routed();
    const attacker = (await openH2(server.url))!;
    const goaway = new Promise<number>((resolve) => attacker.once('goaway', resolve));
    let resets = 0;
    while (!attacker.destroyed && !attacker.closed && resets < 1000) {
      for (let i = 0; i < 20 && !attacker.destroyed && !attacker.closed; i++, resets++) {
        const stream = attacker.request({ ':method': 'POST', ':path': '/echo', 'content-type': 'application/json' });
        stream.on('error', () => undefined);
        stream.end('{}');
        stream.close(h2.NGHTTP2_CANCEL);
      }
      await sleep(10);
    }
    // Closed past the cap of 50, long before the 1,000th.
    expect(resets).toBeLessThan(1000);
    expect(await goaway).toBe(h2.NGHTTP2_ENHANCE_YOUR_CALM);
    expect(server.logs()).toMatch(/closed \(ENHANCE_YOUR_CALM\): it reset more than 50 streams within 10 s \(maxStreamResets, MOSEC_MAX_STREAM_RESETS\)/);
    // What reached a worker would have been counted by now; the service still answers.
    await sleep(500);
    expect((await batched()) - before).toBe(0);
    // Most never reached the route at all: dropped as they were handed over, by when they were reset.
    expect((await routed()) - routedBefore).toBeLessThan(resets / 4);
    expect((await h2Get(probe, '/')).status).toBe(200);
  });
});
