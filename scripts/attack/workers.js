// The attacks of `npm run attack` on the service's supervision of its workers: a paused HTTP process,
// a long synchronous forward, requests that kill their worker, and scaling raced by requests. Shaped
// as those of attacks.js: `env` for the service, `traffic` for the normal clients, `run(server)`.
const { join } = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');
const { startServer } = require('../../bench/lib/server-process');

const post = (url, body) =>
  fetch(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }).then(
    async (response) => ({ status: response.status, body: await response.text() }),
    () => ({ status: 0, body: '' }),
  );

/** Workers the service replaced since it started (all stages), from its metrics. */
async function replaced(server) {
  const text = await fetch(`${server.url}/metrics`).then((r) => r.text());
  return [...text.matchAll(/^mosec_service_worker_restarts_total\{[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

/** Clients that post `body(i)` to `url` in a loop until `until`; resolves with their answers by status (and `kind`). */
async function loop(clients, until, url, body, kind = (answer) => String(answer.status)) {
  const seen = {};
  let sent = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < until) {
        const answer = await post(url, body(sent++));
        const key = kind(answer);
        seen[key] = (seen[key] ?? 0) + 1;
      }
    }),
  );
  return seen;
}

/** Requests that kill their worker, for 20 s beside the normal traffic, and what they cost: forks, readiness. */
async function poison(server, body) {
  const forksBefore = await replaced(server);
  const until = Date.now() + 20_000;
  let samples = 0;
  let notReady = 0;
  const readiness = (async () => {
    while (Date.now() < until) {
      samples++;
      if ((await fetch(`${server.url}/`).then((r) => r.status, () => 0)) !== 200) notReady++;
      await sleep(100);
    }
  })();
  const kind = (answer) => (/quarantine/.test(answer.body) ? `${answer.status} quarantined` : String(answer.status));
  const statuses = await loop(4, until, `${server.url}/echo`, body, kind);
  await readiness;
  statuses['workers forked'] = (await replaced(server)) - forksBefore;
  statuses[`readiness checks not 200 (of ${samples})`] = notReady;
  return { statuses };
}

const WORKER_ATTACKS = [
  {
    name: 'HTTP process stopped 12 s (kill -STOP, then -CONT)',
    env: {},
    // Normal requests wait out the pause instead of counting as lost at 10 s.
    traffic: { timeoutMs: 30_000 },
    async run(server) {
      const before = await replaced(server);
      process.kill(server.pid, 'SIGSTOP');
      await sleep(12_000);
      process.kill(server.pid, 'SIGCONT');
      const since = Date.now();
      const first = await post(`${server.url}/echo`, {});
      const recoveredAfterS = (Date.now() - since) / 1000;
      await sleep(3000); // a few more judgements of the workers
      return { statuses: { [`first request after: ${first.status}`]: 1, 'workers replaced': (await replaced(server)) - before }, recoveredAfterS };
    },
  },
  {
    name: '12 s synchronous forward (service timeout 30 s, no stage timeout)',
    env: { MOSEC_TIMEOUT: '30000' },
    traffic: { timeoutMs: 30_000 },
    async run(server) {
      const before = await replaced(server);
      const since = Date.now();
      const answer = await post(`${server.url}/echo`, { blockMs: 12_000 });
      return { statuses: { [answer.status]: 1, 'workers replaced': (await replaced(server)) - before }, recoveredAfterS: (Date.now() - since) / 1000 };
    },
  },
  {
    name: 'worker-killing requests (process.exit in forward), the same one from 4 clients for 20 s',
    env: {},
    run: (server) => poison(server, () => ({ exit: true, pad: 'the same request each time' })),
  },
  {
    name: 'worker-killing requests, a different one each time, from 4 clients for 20 s',
    env: {},
    // The batching stage receives `exit` (and not `pad`): its value makes each request a different one.
    run: (server) => poison(server, (i) => ({ exit: i + 1 })),
  },
  {
    name: 'elastic race: 8 x (PUT 3 workers, 300 ms, PUT 1) under 8 clients (test/fixtures/elastic, /first)',
    env: {},
    async run() {
      const dist = join(__dirname, '..', '..', process.env.MOSEC_DIST || 'dist');
      const elastic = await startServer({
        name: 'elastic fixture',
        command: process.execPath,
        args: [join(dist, 'test', 'fixtures', 'elastic', 'main.js')],
        env: { MOSEC_LOG_LEVEL: 'info' },
        probe: { path: '/first', body: '{}' },
      });
      try {
        const scale = (workers) =>
          fetch(`${elastic.url}/mosec/stages/First`, {
            method: 'PUT',
            headers: { 'content-type': 'application/json', 'x-admin-key': 'admin' },
            body: JSON.stringify({ workers }),
            signal: AbortSignal.timeout(60_000),
          }).then((response) => `PUT ${response.status}`, () => 'PUT unanswered');
        const puts = [];
        let scaling = true;
        const operator = (async () => {
          for (let round = 0; round < 8; round++) {
            puts.push(scale(3));
            await sleep(300);
            puts.push(scale(1));
            await sleep(300);
          }
          await Promise.all(puts);
          scaling = false;
        })();
        const statuses = {};
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            while (scaling) {
              const { status } = await post(`${elastic.url}/first`, {});
              statuses[`/first ${status}`] = (statuses[`/first ${status}`] ?? 0) + 1;
            }
          }),
        );
        await operator;
        for (const put of await Promise.all(puts)) statuses[put] = (statuses[put] ?? 0) + 1;
        return { statuses };
      } finally {
        await elastic.stop();
      }
    },
  },
];

module.exports = { WORKER_ATTACKS };
