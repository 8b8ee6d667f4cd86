// The attacks of `npm run attack`, each against a fresh service: what it sends, and what it reports
// besides the normal traffic's figures (the attack's own statuses, how long the service took).
const net = require('node:net');
const { setTimeout: sleep } = require('node:timers/promises');

const MiB = 2 ** 20;

/** Opens `count` connections to the server, a few hundred at a time; resolves with those that connected. */
async function openConnections(url, count) {
  const { hostname, port } = new URL(url);
  const sockets = [];
  for (let at = 0; at < count; at += 500) {
    const batch = Array.from({ length: Math.min(500, count - at) }, () =>
      new Promise((resolve) => {
        const socket = net.connect(Number(port), hostname);
        socket.on('error', () => resolve(undefined));
        socket.once('connect', () => resolve(socket));
      }),
    );
    sockets.push(...(await Promise.all(batch)).filter(Boolean));
  }
  return sockets;
}

/** Watches connections: the first line each got, and when each closed. */
function watch(sockets, since) {
  return sockets.map((socket) => {
    const seen = { answer: '', closedAfterMs: undefined };
    socket.on('data', (data) => (seen.answer += data));
    socket.on('close', () => (seen.closedAfterMs = Date.now() - since));
    return seen;
  });
}

function summarize(seen) {
  const statuses = {};
  for (const { answer, closedAfterMs } of seen) {
    const status = /^HTTP\/1\.1 (\d+)/.exec(answer)?.[1] ?? (closedAfterMs === undefined ? 'open' : 'closed');
    statuses[status] = (statuses[status] ?? 0) + 1;
  }
  const closed = seen.map((s) => s.closedAfterMs).filter((ms) => ms !== undefined);
  return { statuses, closedWithinS: closed.length === seen.length ? Math.max(0, ...closed) / 1000 : undefined };
}

/** Waits until every watched connection is closed, or `ms` passed. */
async function untilClosed(seen, ms) {
  const deadline = Date.now() + ms;
  while (seen.some((s) => s.closedAfterMs === undefined) && Date.now() < deadline) await sleep(200);
}

const HEAD = 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n';

/** 1,000 connections that send `start`, then one `byte` every 2 s, until the service closes them. */
async function trickle(server, start, byte) {
  const since = Date.now();
  const sockets = await openConnections(server.url, 1000);
  const seen = watch(sockets, since);
  sockets.forEach((s) => s.write(start));
  const timer = setInterval(() => sockets.forEach((s) => s.destroyed || s.write(byte)), 2000);
  await untilClosed(seen, 100_000);
  clearInterval(timer);
  sockets.forEach((s) => s.destroy());
  return summarize(seen);
}

/** Each attack: `env` for the service, `run(server)` resolving with what it saw. */
const ATTACKS = [
  {
    name: 'slow headers (1,000 connections, a byte every 2 s)',
    env: { MOSEC_TIMEOUT: '1000' },
    // A valid start, then a header that never ends.
    run: (server) => trickle(server, `${HEAD}X-Slow: `, 'a'),
  },
  {
    name: 'slow bodies (1,000 connections, a byte every 2 s of a 1 MB body)',
    env: { MOSEC_TIMEOUT: '1000' },
    run: (server) => trickle(server, `${HEAD}Content-Length: 1000000\r\n\r\n`, ' '),
  },
  {
    name: 'idle connections (10,000, never a byte)',
    env: {},
    async run(server) {
      const since = Date.now();
      const sockets = await openConnections(server.url, 10_000);
      const seen = watch(sockets, since);
      await untilClosed(seen, 100_000);
      sockets.forEach((s) => s.destroy());
      return { ...summarize(seen), connected: sockets.length };
    },
  },
  {
    name: 'uploads (400 x 10 MiB, held one byte short)',
    env: {},
    async run(server) {
      const since = Date.now();
      const sockets = await openConnections(server.url, 400);
      const seen = watch(sockets, since);
      const body = Buffer.alloc(10 * MiB - 1, 0x20);
      for (const socket of sockets) {
        socket.write(`${HEAD}Content-Length: ${10 * MiB}\r\n\r\n`);
        socket.write(body);
      }
      // Held for 15 s (the service's read limit closes the admitted ones at 13 s), then let go.
      await sleep(15_000);
      const held = summarize(seen);
      sockets.forEach((s) => s.destroy());
      return held;
    },
  },
  {
    name: 'frozen worker (kill -STOP of the batching stage\'s only worker)',
    env: {},
    async run(server, workers) {
      const frozen = workers.find((w) => w.stage === 'Batch');
      process.kill(frozen.pid, 'SIGSTOP');
      const since = Date.now();
      // Until the service answers 200 again without it.
      let recoveredAfterS;
      while (Date.now() - since < 60_000) {
        const status = await fetch(`${server.url}/echo`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }).then((r) => r.status, () => 0);
        if (status === 200) {
          recoveredAfterS = (Date.now() - since) / 1000;
          break;
        }
        await sleep(100);
      }
      try {
        process.kill(frozen.pid, 'SIGKILL');
      } catch {
        // replaced already
      }
      return { statuses: {}, recoveredAfterS };
    },
  },
  ...require('./workers').WORKER_ATTACKS,
  ...require('./budget').BUDGET_ATTACKS,
  ...require('./edges').EDGE_ATTACKS,
];

module.exports = { ATTACKS, openConnections, summarize, untilClosed, watch };
