// The attacks of `npm run attack` on the service's edges: HTTP/2 streams reset as soon as opened,
// and SSE clients that leave. Each starts its own service of test/fixtures/edges (h2c where it
// needs it) beside the runner's, and reports its figures as the attack's answers.
const { fork } = require('node:child_process');
const http2 = require('node:http2');
const os = require('node:os');
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');
const { startServer } = require('../../bench/lib/server-process');
const { processTreeRss } = require('../../bench/lib/memory');

const DIST = join(__dirname, '..', '..', process.env.MOSEC_DIST || 'dist');
const ENTRY = join(DIST, 'test', 'fixtures', 'edges', 'main.js');
const JSON_HEADERS = { 'content-type': 'application/json' };

/** One request on an HTTP/2 session; resolves with its status and body (status 0: no answer). */
function h2Request(session, path, body) {
  return new Promise((resolve) => {
    let stream;
    try {
      stream = session.request({ ':method': body === undefined ? 'GET' : 'POST', ':path': path, ...(body === undefined ? {} : JSON_HEADERS) }, { endStream: body === undefined });
    } catch {
      return resolve({ status: 0, body: '' });
    }
    let status = 0;
    const chunks = [];
    stream.on('response', (headers) => (status = Number(headers[':status'])));
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('error', () => undefined);
    stream.on('close', () => resolve({ status, body: Buffer.concat(chunks).toString() }));
    if (body !== undefined) stream.end(body);
  });
}

/** Opens an h2c session; resolves once connected (undefined if it cannot). */
function h2Connect(url) {
  return new Promise((resolve) => {
    const session = http2.connect(url);
    session.on('error', () => resolve(undefined));
    session.once('connect', () => resolve(session));
  });
}

/** Readiness over h2c: `GET /` answers 200. */
async function h2Ready(url) {
  const session = await h2Connect(url);
  if (!session) return false;
  const { status } = await h2Request(session, '/');
  session.destroy();
  return status === 200;
}

/** The items the batching stage ran (the sum of its batch sizes), from the service's /metrics over h2c. */
async function batchedItems(url) {
  const session = await h2Connect(url);
  const { body } = await h2Request(session, '/metrics');
  session.destroy();
  let sum = 0;
  for (const [, value] of body.matchAll(/^\w+_batch_size_sum\{[^}]*stage="Batch"[^}]*\} (\S+)$/gm)) sum += Number(value);
  return sum;
}

/** `clients` closed-loop POSTs of /echo on one h2c session for `ms`: req/s and the statuses. */
async function h2Traffic(url, { clients = 8, ms }) {
  const session = await h2Connect(url);
  const statuses = {};
  let ok = 0;
  const began = Date.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() - began < ms) {
        const { status } = await h2Request(session, '/echo', '{}');
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status === 200) ok++;
        else await sleep(50);
      }
    }),
  );
  session.destroy();
  const took = Date.now() - began;
  return { ok, ms: took, perSecond: ok / (took / 1000), statuses };
}

/**
 * Opens POSTs of /echo and resets each at once (CANCEL, right after its body), `perSecond` a second
 * for `ms`, on one connection; when the service closes it, opens the next. Counts the resets sent
 * and the connections closed with GOAWAY ENHANCE_YOUR_CALM.
 */
async function rapidReset(url, { perSecond = 1000, ms }) {
  const began = Date.now();
  let resets = 0;
  let calmed = 0;
  let connections = 0;
  let session;
  const tickMs = 10;
  while (Date.now() - began < ms) {
    if (!session || session.closed || session.destroyed) {
      session = await h2Connect(url);
      connections++;
      session?.on('goaway', (code) => code === http2.constants.NGHTTP2_ENHANCE_YOUR_CALM && calmed++);
      if (!session) {
        await sleep(tickMs);
        continue;
      }
    }
    // As many as the pace asks by now: a late timer is caught up on, not lost.
    const due = Math.floor(((Date.now() - began) * perSecond) / 1000);
    while (resets < due && !session.closed && !session.destroyed) {
      try {
        const stream = session.request({ ':method': 'POST', ':path': '/echo', ...JSON_HEADERS });
        stream.on('error', () => undefined);
        stream.end('{}');
        stream.close(http2.constants.NGHTTP2_CANCEL);
        resets++;
      } catch {
        break; // the session is going away
      }
    }
    await sleep(tickMs);
  }
  session?.destroy();
  return { resets, calmed, connections };
}

/**
 * `rapidReset` in a process of its own, as an attacker is: its pace does not depend on the measuring
 * clients'. Resolves once it runs, with the promise of its counts.
 */
function startRapidReset(url, ms) {
  return new Promise((started, failed) => {
    const child = fork(__filename, ['rapid-reset', url, String(ms)], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    // The attacker's own CPU would be another machine's: on this one it must not be taken from the service.
    os.setPriority(child.pid, 19);
    const done = new Promise((resolve, reject) => {
      child.on('message', (message) => (message === 'started' ? started({ done }) : resolve(message)));
      child.on('exit', (code) => code !== 0 && reject(new Error(`the rapid-reset client exited with ${code}`)));
    });
    child.on('error', failed);
  });
}

/** The edges fixture, over h2c with `EDGES_HTTP2=1`. */
async function startEdges(env) {
  const probe = env.EDGES_HTTP2 === '1' ? { ready: h2Ready } : { path: '/echo', body: '{}' };
  return startServer({ name: 'edges fixture', command: process.execPath, args: [ENTRY], env: { MOSEC_LOG_LEVEL: 'info', ...env }, probe });
}

/** A metric of the service (summed over its labels), over HTTP/1. */
async function metric(url, name) {
  const text = await (await fetch(`${url}/metrics`)).text();
  let sum = 0;
  for (const [, value] of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) sum += Number(value);
  return sum;
}

/** Opens `clients` event streams of /ticks at once; each client leaves once it got `events` events, or after `patienceMs`. */
async function streamsThatLeave(url, { clients, events, body, patienceMs = 20_000 }) {
  await Promise.all(
    Array.from({ length: clients }, async () => {
      const controller = new AbortController();
      const patience = setTimeout(() => controller.abort(), patienceMs);
      try {
        const response = await fetch(`${url}/ticks`, { method: 'POST', body: JSON.stringify(body), headers: JSON_HEADERS, signal: controller.signal });
        const reader = response.body.getReader();
        let seen = 0;
        while (seen < events) {
          const { value, done } = await reader.read();
          if (done) break;
          seen += (Buffer.from(value).toString().match(/^data:/gm) ?? []).length;
        }
      } catch {
        // left before its events came (queued behind streams that never stop)
      } finally {
        clearTimeout(patience);
        controller.abort();
      }
    }),
  );
}

/** The /dev/shm directory a service logged, and the pids of the processes holding its name (its watcher). */
function shmDirOf(server) {
  return /go through (\/dev\/shm\/mosec-\S+)/.exec(server.logs())?.[1];
}
function pidsNaming(text) {
  const pids = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text)) pids.push(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}
function killAll(pids) {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

/** A white PNG page of `width` x `height` with two lines of large text. */
async function ocrPage(width, height) {
  const sharp = require('sharp');
  const text = await sharp({ text: { text: '<span foreground="black">Hello World 2024\nQuick brown fox 17</span>', font: 'DejaVu Sans 200', rgba: true, dpi: 72 } }).png().toBuffer();
  return sharp({ create: { width, height, channels: 3, background: '#ffffff' } }).composite([{ input: text, top: 200, left: 200 }]).png().toBuffer();
}

/** The most memory each worker of a service ever held (VmHWM), MiB. */
function workerPeaks(server) {
  return processTreeRss(server.pid).children.map((child) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) / 1024);
}

const ATTACK_MS = 10_000;
const ROUND_MS = 2000;

const EDGE_ATTACKS = [
  {
    name: 'h2c rapid reset (1,000 streams a second opened and reset at once, one connection at a time)',
    env: {},
    async run() {
      const server = await startEdges({ EDGES_HTTP2: '1' });
      try {
        // Rounds of 2 s unattacked and 2 s attacked, so that the machine's changing load falls on both alike.
        const itemsBefore = await batchedItems(server.url);
        const without = { ok: 0, ms: 0 };
        const during = { ok: 0, ms: 0 };
        const attack = { resets: 0, calmed: 0 };
        for (let round = 0; round < ATTACK_MS / ROUND_MS; round++) {
          const quiet = await h2Traffic(server.url, { ms: ROUND_MS });
          const attacker = await startRapidReset(server.url, ROUND_MS);
          const [loud, reset] = await Promise.all([h2Traffic(server.url, { ms: ROUND_MS }), attacker.done]);
          for (const [sum, phase] of [[without, quiet], [during, loud]]) Object.assign(sum, { ok: sum.ok + phase.ok, ms: sum.ms + phase.ms });
          attack.resets += reset.resets;
          attack.calmed += reset.calmed;
        }
        await sleep(1000);
        // Every item the batching stage ran was a legitimate request answered 200.
        const forResets = (await batchedItems(server.url)) - itemsBefore - without.ok - during.ok;
        const rate = (phase) => phase.ok / (phase.ms / 1000);
        const share = Math.round((100 * rate(during)) / rate(without));
        return {
          statuses: {
            [`legitimate h2c req/s during / without: ${rate(during).toFixed(0)} / ${rate(without).toFixed(0)} (${share}%)`]: 1,
            'resets sent': attack.resets,
            'connections closed ENHANCE_YOUR_CALM': attack.calmed,
            'items batched for reset streams': forResets,
          },
        };
      } finally {
        await server.stop();
      }
    },
  },
  {
    name: 'SSE clients that leave (64 streams of 100 s, each client gone after 3 events)',
    env: {},
    async run() {
      // A service timeout longer than the streams: only the clients' leaving can stop them.
      const server = await startEdges({ MOSEC_TIMEOUT: '200000' });
      try {
        await streamsThatLeave(server.url, { clients: 64, events: 3, body: { count: 2000, everyMs: 50 } });
        const left = Date.now();
        // Stopped once the count has not moved for 2 s: when it last moved.
        let made = await metric(server.url, 'stream_events_made_total');
        let movedAt = left;
        while (Date.now() - movedAt < 2000 && Date.now() - left < 30_000) {
          await sleep(100);
          const now = await metric(server.url, 'stream_events_made_total');
          if (now !== made) movedAt = Date.now();
          made = now;
        }
        const stoppedAfterS = Date.now() - movedAt >= 2000 ? (movedAt - left) / 1000 : undefined;
        await sleep(5000);
        const after = (await metric(server.url, 'stream_events_made_total')) - made;
        return { statuses: { 'streams left': 64, 'events made in the next 5 s': after }, closedWithinS: stoppedAfterS };
      } finally {
        await server.stop();
      }
    },
  },
  {
    name: "/dev/shm after SIGKILL of a whole service (its watcher too), then a new start",
    env: {},
    async run(runner) {
      const killed = await startEdges({});
      const stale = shmDirOf(killed);
      // Everything that knew the directory dies at once, as in a container's kill.
      killAll([killed.pid, ...pidsNaming(stale)]);
      await sleep(500);
      await killed.stop();
      const leftBehind = existsSync(stale);
      const began = Date.now();
      const next = await startEdges({});
      try {
        const removed = !existsSync(stale) && next.logs().includes(`removed ${stale}`);
        const live = shmDirOf(runner);
        return {
          statuses: { 'directory left behind by the kill': leftBehind ? 1 : 0, 'removed at the next start': removed ? 1 : 0, "live service's directory kept": live && existsSync(live) ? 1 : 0 },
          recoveredAfterS: (Date.now() - began) / 1000,
        };
      } finally {
        await next.stop();
      }
    },
  },
  {
    name: 'huge images to the OCR example (a 40 MP PNG page; 6400x6400)',
    env: {},
    async run() {
      const server = await startServer({
        name: 'OCR example',
        command: process.execPath,
        args: [join(DIST, 'examples', 'ocr', 'main.js')],
        env: { MOSEC_LOG_LEVEL: 'info', MOSEC_TIMEOUT: '30000' },
        probe: { ready: async (url) => (await fetch(`${url}/`).catch(() => ({ status: 0 }))).status === 200 },
      });
      try {
        const send = async (image) => {
          const began = Date.now();
          const answer = await fetch(`${server.url}/inference`, { method: 'POST', body: image, headers: { 'content-type': 'image/png' } });
          await answer.arrayBuffer();
          return { status: answer.status, s: (Date.now() - began) / 1000 };
        };
        const read = await send(await ocrPage(8000, 5000));
        const refused = await send(await ocrPage(6400, 6400));
        const peak = Math.max(...workerPeaks(server));
        return { statuses: { [`${read.status} in ${read.s} s (40 MP page)`]: 1, [`${refused.status} in ${refused.s} s (6400x6400)`]: 1, [`MiB peak of the largest worker: ${peak.toFixed(0)}`]: 1 } };
      } finally {
        await server.stop();
      }
    },
  },
];

module.exports = { EDGE_ATTACKS, h2Connect, h2Request };

if (require.main === module && process.argv[2] === 'rapid-reset') {
  process.send('started');
  rapidReset(process.argv[3], { ms: Number(process.argv[4]) }).then((result) => process.send(result, () => process.exit(0)));
}
