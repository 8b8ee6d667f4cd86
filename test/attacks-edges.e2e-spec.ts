import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { scrape, total } from './support/metrics';
import { parseEvents } from './support/sse';
import { RunningServer, sleep, startServer } from './support/server';

/**
 * Edges of the service a client or a crash reaches: what a killed service left in /dev/shm, streams
 * whose client left, and HTTP/2 streams reset as soon as opened (the full size is `npm run attack`).
 */
const FIXTURE = 'test/fixtures/attack/main.js';
const EDGES = 'test/fixtures/edges/main.js';
const SHM = '/dev/shm';

/** A directory as a killed service leaves it: a payload and the record of its owner. */
function leftBehind(owner: object | undefined): string {
  const dir = mkdtempSync(join(SHM, 'mosec-test-'));
  writeFileSync(join(dir, 'w1-1'), 'payload');
  if (owner) writeFileSync(join(dir, '.owner'), JSON.stringify(owner));
  return dir;
}

function startTimeOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

describe('shared memory left by a killed service', () => {
  const made: string[] = [];
  let server: RunningServer | undefined;
  afterAll(async () => {
    await server?.stop();
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });

  it('removes the directories of dead owners at start and keeps the live ones', async () => {
    const pidNamespace = readlinkSync('/proc/self/ns/pid');
    const exited = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const deadPid = Number(exited.stdout.toString());
    const live = { pid: process.pid, start: startTimeOf(process.pid), pidNamespace };
    const dead = leftBehind({ pid: deadPid, start: '1', pidNamespace });
    const reused = leftBehind({ ...live, start: String(Number(live.start) - 1) }); // our pid, an earlier process's
    const kept = leftBehind(live);
    const otherNamespace = leftBehind({ pid: deadPid, pidNamespace: 'pid:[1]' });
    const unknown = leftBehind(undefined);
    made.push(dead, reused, kept, otherNamespace, unknown);

    server = await startServer(FIXTURE);

    expect(existsSync(dead)).toBe(false);
    expect(existsSync(reused)).toBe(false);
    expect(existsSync(kept)).toBe(true);
    expect(existsSync(otherNamespace)).toBe(true);
    expect(existsSync(unknown)).toBe(true);
    expect(server.logs()).toContain(`removed ${dead}, left by pid ${deadPid}, which is gone`);
    expect(server.logs()).toContain(`removed ${reused}, left by pid ${process.pid}`);
    // The service's own directory says whose it is.
    const own = /go through (\/dev\/shm\/mosec-\S+)/.exec(server.logs())![1];
    expect(own).toMatch(new RegExp(`^/dev/shm/mosec-${server.proc.pid}-`));
    expect(JSON.parse(readFileSync(join(own, '.owner'), 'utf8'))).toMatchObject({ pid: server.proc.pid });
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
    server = await startServer(EDGES);
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
