import { Packr } from 'msgpackr';
import { runClients, timedPost } from './support/load';
import { post, RunningServer, startService } from './support/server';

/**
 * Request bodies that cost the HTTP process more than their bytes, or that come from a browser page
 * rather than an API client (the full size is `npm run attack`).
 */
const FIXTURE = 'test/fixtures/attack/main.js';
const msgpack = new Packr({ useRecords: false, variableMapSize: true });

function manyKeys(count: number): Record<string, number> {
  const object: Record<string, number> = {};
  for (let i = 0; i < count; i++) object[`k${i}`] = i;
  return object;
}

describe('request bodies: structure, size of maps, and where they come from', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startService(FIXTURE);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('refuses 160,000 keys to a DTO route within milliseconds, naming the limit, while another route keeps answering', async () => {
    const workers = server.workerPids();
    const bomb = JSON.stringify(manyKeys(160_000));
    const until = Date.now() + 3000;
    const json = { 'content-type': 'application/json' };
    const [bombs, others] = await Promise.all([
      runClients(2, until, () => timedPost(`${server.url}/order`, bomb, { headers: json })),
      runClients(2, until, () => timedPost(`${server.url}/echo`, {})),
    ]);
    expect(bombs.length).toBeGreaterThan(2);
    for (const bombed of bombs) {
      expect(bombed).toMatchObject({ status: 413, body: 'request body is too large: an object has more than 1000 keys (maxObjectKeys)' });
      // Wide: the refusal itself takes milliseconds, 2 cores are shared.
      expect(bombed.endedAt - bombed.startedAt).toBeLessThan(1500);
    }
    const slowest = Math.max(...others.map((o) => o.endedAt - o.startedAt));
    expect(others.every((o) => o.status === 200)).toBe(true);
    expect(slowest).toBeLessThan(1500);
    // The same map in msgpack is refused from its header.
    const packed = await post(`${server.url}/order`, msgpack.pack(manyKeys(160_000)), { 'content-type': 'application/msgpack' });
    expect(packed.status).toBe(413);
    // A real order still passes, and no worker was judged silent.
    expect((await post(`${server.url}/order`, { customer: 'ada', lines: [{ sku: 'tea', quantity: 2 }] })).status).toBe(200);
    expect(server.workerPids().sort()).toEqual(workers.sort());
    expect(server.logs()).toContain('refused a request body (413): an object has more than 1000 keys (maxObjectKeys); the option maxObjectKeys (MOSEC_MAX_OBJECT_KEYS) sets it');
  });

  it('refuses arrays, totals and depth past their limits on a DTO route', async () => {
    const order = (lines: unknown) => post(`${server.url}/order`, { customer: 'ada', lines });
    expect(await order(Array(10_001).fill(1))).toMatchObject({ status: 413, body: expect.stringContaining('(maxArrayLength)') });
    const wide = Array.from({ length: 60 }, () => Array(2000).fill(0));
    expect(await order(wide)).toMatchObject({ status: 413, body: expect.stringContaining('(maxBodyValues)') });
    let deep: unknown = 1;
    for (let level = 0; level < 600; level++) deep = [deep];
    expect(await order(deep)).toMatchObject({ status: 413, body: expect.stringContaining('nests arrays and objects more than 512 deep (maxBodyDepth)') });
  });

  it('carries a 70,000-key msgpack map through two stages intact', async () => {
    const map = manyKeys(70_000);
    const response = await fetch(`${server.url}/relay`, {
      method: 'POST',
      body: new Uint8Array(msgpack.pack(map)),
      headers: { 'content-type': 'application/msgpack', accept: 'application/msgpack' },
    });
    expect(response.status).toBe(200);
    expect(msgpack.unpack(Buffer.from(await response.arrayBuffer()))).toEqual(map);
  });

  it('answers 415 to form and text bodies from a browser page, and still reads `curl -d` and bodies without a type as JSON', async () => {
    const body = JSON.stringify({ customer: 'ada', lines: [] });
    const fromPage = { origin: 'https://evil.example' };
    for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/plain;charset=UTF-8']) {
      for (const path of ['/echo', '/order']) {
        const answer = await post(`${server.url}${path}`, body, { 'content-type': type, ...fromPage });
        expect([type, path, answer.status]).toEqual([type, path, 415]);
        expect(answer.body).toContain(`not ${type.split(';')[0]} from a browser page`);
      }
    }
    // JSON from a page is an API client's request (a browser asks the service before it sends one cross-site).
    expect((await post(`${server.url}/order`, body, fromPage)).status).toBe(200);
    // What `curl -d` sends: a form type, and no Origin.
    expect((await post(`${server.url}/order`, body, { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(200);
    const untyped = await fetch(`${server.url}/echo`, { method: 'POST', body: Buffer.from('{}') });
    expect(untyped.status).toBe(200);
    // A DTO route takes JSON and msgpack only, from anyone.
    expect((await post(`${server.url}/order`, body, { 'content-type': 'text/plain' })).status).toBe(415);
  });
});
