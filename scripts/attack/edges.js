// The attacks of `npm run attack` on the service's edges: HTTP/2 streams reset as soon as opened,
// and SSE clients that leave. Each starts its own service of test/fixtures/edges (h2c where it
// needs it) beside the runner's, and reports its figures as the attack's answers.
const http2 = require('node:http2');
const { join } = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');
const { startServer } = require('../../bench/lib/server-process');

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
  return { ok, perSecond: ok / ((Date.now() - began) / 1000), statuses };
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
    for (let i = 0; i < (perSecond * tickMs) / 1000 && !session.closed && !session.destroyed; i++) {
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

async function startEdges(env) {
  return startServer({ name: 'edges fixture', command: process.execPath, args: [ENTRY], env: { MOSEC_LOG_LEVEL: 'info', ...env }, probe: { ready: h2Ready } });
}

const ATTACK_MS = 10_000;

const EDGE_ATTACKS = [
  {
    name: 'h2c rapid reset (1,000 streams a second opened and reset at once, one connection at a time)',
    env: {},
    async run() {
      const server = await startEdges({ EDGES_HTTP2: '1' });
      try {
        const without = await h2Traffic(server.url, { ms: 5000 });
        const before = await batchedItems(server.url);
        const [during, attack] = await Promise.all([h2Traffic(server.url, { ms: ATTACK_MS }), rapidReset(server.url, { ms: ATTACK_MS })]);
        await sleep(1000);
        // Every item the batching stage ran was a legitimate request answered 200.
        const forResets = (await batchedItems(server.url)) - before - during.ok;
        const share = Math.round((100 * during.perSecond) / without.perSecond);
        process.stderr.write(`  h2c legitimate req/s during / without: ${during.perSecond.toFixed(0)} / ${without.perSecond.toFixed(0)} (${share}%)\n`);
        return {
          statuses: {
            [`% legitimate h2c req/s kept (${during.perSecond.toFixed(0)} / ${without.perSecond.toFixed(0)})`]: share,
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
];

module.exports = { EDGE_ATTACKS, h2Connect, h2Request };
