// Attacks of `npm run attack` on what a request body holds: a key bomb to a request DTO, a map too
// large for 16-bit msgpack sizes between stages, and form posts from another site's page.
const { Packr } = require('msgpackr');
const { isDeepStrictEqual } = require('node:util');

const msgpack = new Packr({ useRecords: false, variableMapSize: true });

function manyKeys(count) {
  const object = {};
  for (let i = 0; i < count; i++) object[`k${i}`] = i;
  return object;
}

function tally(statuses, label) {
  statuses[label] = (statuses[label] ?? 0) + 1;
}

const BODY_ATTACKS = [
  {
    name: 'DTO key bomb (160,000 keys, JSON and msgpack, 4 clients for 15 s)',
    env: {},
    async run(server, workers) {
      const keys = manyKeys(160_000);
      const bodies = [
        { body: JSON.stringify(keys), type: 'application/json' },
        { body: msgpack.pack(keys), type: 'application/msgpack' },
      ];
      const answers = {};
      let slowestMs = 0;
      const until = Date.now() + 15_000;
      await Promise.all(
        Array.from({ length: 4 }, async (_, client) => {
          for (let sent = client; Date.now() < until; sent++) {
            const { body, type } = bodies[sent % 2];
            const started = Date.now();
            const status = await fetch(`${server.url}/order`, { method: 'POST', body, headers: { 'content-type': type } }).then(
              async (r) => (await r.arrayBuffer(), r.status),
              () => 0,
            );
            slowestMs = Math.max(slowestMs, Date.now() - started);
            tally(answers, status);
          }
        }),
      );
      // A worker judged silent is killed and replaced: its replacement is a new spawn in the log.
      const replaced = [...server.logs().matchAll(/\w+#\d+ spawned \(pid \d+\)/g)].length - workers.length;
      const statuses = {};
      for (const [status, count] of Object.entries(answers)) statuses[`${status} (slowest ${slowestMs} ms)`] = count;
      statuses['workers replaced'] = replaced;
      return { statuses };
    },
  },
  {
    name: 'msgpack map of 70,000 keys through 2 stages (/relay), 20 times',
    env: {},
    async run(server) {
      const map = manyKeys(70_000);
      const body = msgpack.pack(map);
      const statuses = {};
      for (let sent = 0; sent < 20; sent++) {
        const response = await fetch(`${server.url}/relay`, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/msgpack', accept: 'application/msgpack' },
        }).catch(() => undefined);
        if (!response) {
          tally(statuses, 'no answer');
          continue;
        }
        const bytes = Buffer.from(await response.arrayBuffer());
        const intact = response.status === 200 && isDeepStrictEqual(msgpack.unpack(bytes), map);
        tally(statuses, `${response.status}${intact ? ' intact' : response.status === 200 ? ' changed' : ''}`);
      }
      return { statuses };
    },
  },
  {
    name: 'cross-site form posts (form, multipart, text/plain with Origin; 3 x 1,000)',
    env: {},
    async run(server) {
      const types = ['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/plain;charset=UTF-8'];
      const statuses = {};
      for (const type of types) {
        for (let sent = 0; sent < 1000; sent += 10) {
          const posts = Array.from({ length: 10 }, (_, i) =>
            fetch(`${server.url}/${(sent + i) % 2 ? 'order' : 'echo'}`, {
              method: 'POST',
              body: JSON.stringify({ customer: 'victim', lines: [] }),
              headers: { 'content-type': type, origin: 'https://evil.example' },
            }).then(async (r) => (await r.arrayBuffer(), r.status), () => 0),
          );
          for (const status of await Promise.all(posts)) tally(statuses, status);
        }
      }
      return { statuses };
    },
  },
];

module.exports = { BODY_ATTACKS };
