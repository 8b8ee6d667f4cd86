// The attacks on the byte budget in `npm run attack`: compressed uploads that stall, brotli bombs,
// and clients that never read their answers. The connection functions are attacks.js's, required
// when an attack runs (attacks.js lists these).
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');

const MiB = 2 ** 20;
/**
 * 1 GiB of zeros in 841 bytes of brotli, made once with Node's zlib (quality 11, `BROTLI_PARAM_LGWIN`
 * 24: a 16 MiB window); compressing it again takes minutes.
 */
const BOMB = readFileSync(join(__dirname, '..', '..', 'test', 'fixtures', 'attack', 'zeros-1gib.br'));
const HEAD = 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n';

const connections = () => require('./attacks');

/** A gauge of the service now. */
async function gauge(url, name) {
  const text = await fetch(`${url}/metrics`).then((r) => r.text(), () => '');
  return Number(new RegExp(`^mosec_service_${name} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
}
/** Bytes the service counts against its budget. */
const inflightBytes = (url) => gauge(url, 'inflight_bytes');
/** Tasks not answered yet. */
const remainingTasks = (url) => gauge(url, 'remaining_task');

/** POSTs `body` until it gets 200 or `ms` passed; resolves with each status it got, and when the 200 came (s). */
async function untilTaken(url, body, ms) {
  const since = Date.now();
  const statuses = {};
  while (Date.now() - since < ms) {
    const status = await fetch(`${url}/echo`, { method: 'POST', body, headers: { 'content-type': 'application/json' } }).then((r) => r.arrayBuffer().then(() => r.status), () => 0);
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (status === 200) return { statuses, afterS: (Date.now() - since) / 1000 };
    await sleep(200);
  }
  return { statuses, afterS: undefined };
}

/** `count` connections that each send a compressed upload's headers and `body`; resolves with what each got, once all closed. */
async function bombard(server, count, body) {
  const { openConnections, summarize, untilClosed, watch } = connections();
  const since = Date.now();
  const sockets = await openConnections(server.url, count);
  const seen = watch(sockets, since);
  for (const socket of sockets) {
    socket.write(`${HEAD}Connection: close\r\nContent-Encoding: br\r\nContent-Length: ${BOMB.length}\r\n\r\n`);
    socket.write(body);
  }
  await untilClosed(seen, 100_000);
  sockets.forEach((s) => s.destroy());
  return summarize(seen);
}

const BUDGET_ATTACKS = [
  {
    name: 'stalled compressed uploads (100 x br, stalled after 300 bytes, 2 s read timeout)',
    env: { MOSEC_COMPRESSION: '1', MOSEC_READ_TIMEOUT: '2000' },
    async run(server) {
      const { statuses } = await bombard(server, 100, BOMB.subarray(0, 300));
      // Once they are closed: until a small POST is taken and the budget holds no more than the normal traffic's bytes.
      const since = Date.now();
      let recovered;
      while (recovered === undefined && Date.now() - since < 30_000) {
        const { afterS } = await untilTaken(server.url, '{}', 1000);
        if (afterS !== undefined && (await inflightBytes(server.url)) < 1024) recovered = (Date.now() - since) / 1000;
      }
      return { statuses, recoveredAfterS: recovered };
    },
  },
  {
    name: 'brotli bombs, compression off (1,000 x 841 B that decode to 1 GiB, sent whole at once)',
    env: {},
    run: (server) => bombard(server, 1000, BOMB),
  },
  {
    name: 'brotli bombs, compression on (1,000 x 841 B that decode to 1 GiB, sent whole at once)',
    env: { MOSEC_COMPRESSION: '1' },
    run: (server) => bombard(server, 1000, BOMB),
  },
  {
    name: 'slow readers (clients post 8 MiB and never read the answer, until they hold the budget), then a good 8 MiB POST',
    // Time for 8 MiB requests to be answered on a busy machine, rather than timed out (small answers are taken whole by the system).
    env: { MOSEC_TIMEOUT: '20000' },
    async run(server) {
      const { openConnections } = connections();
      const body = JSON.stringify({ pad: 'x'.repeat(8 * MiB - 10) });
      // 8 at a time until what they hold leaves no room for another 8 MiB in the default budget, and
      // every one is answered (held by its answer alone: a request that timed out got a small answer,
      // which the system's buffers took whole, and made room for more).
      const readers = [];
      const since = Date.now();
      let fullAt;
      for (;;) {
        const room = (await inflightBytes(server.url)) + body.length <= 256 * MiB;
        if (!room) fullAt ??= Date.now();
        if (!room && (await remainingTasks(server.url)) === 0) break;
        if (readers.length >= 256 || Date.now() - since > 120_000) throw new Error('the readers did not come to hold the budget');
        if (room) {
          const sockets = await openConnections(server.url, 8);
          // No 'data' listener: nothing of the answers is read.
          for (const socket of sockets) socket.write(`${HEAD}Content-Length: ${body.length}\r\n\r\n${body}`);
          readers.push(...sockets);
        }
        await sleep(1000);
      }
      process.stderr.write(`  ${readers.length} readers that never read hold ${((await inflightBytes(server.url)) / MiB).toFixed(0)} MiB\n`);
      const good = await untilTaken(server.url, body, 120_000);
      readers.forEach((s) => s.destroy());
      // From when the readers first filled the budget.
      return { statuses: good.statuses, recoveredAfterS: good.afterS === undefined ? undefined : (Date.now() - fullAt) / 1000 };
    },
  },
];

module.exports = { BUDGET_ATTACKS };
