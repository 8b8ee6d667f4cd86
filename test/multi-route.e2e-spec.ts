import { Packr } from 'msgpackr';
import { gzipSync } from 'node:zlib';
import { post, RunningServer, startService } from './support/server';

const msgpack = new Packr({ useRecords: false });

function postTyped(url: string, value: unknown): Promise<Response> {
  return fetch(`${url}/v1/inference`, {
    method: 'POST',
    headers: { 'content-type': 'application/msgpack', accept: 'application/msgpack' },
    body: new Uint8Array(msgpack.pack(value)),
  });
}

/** The "batch of n: a from /inference, b from /v1/inference" lines the shared stage logged. */
function batchesLogged(logs: string): Array<{ raw: number; typed: number }> {
  return [...logs.matchAll(/batch of \d+: (\d+) from \/inference, (\d+) from \/v1\/inference/g)].map((m) => ({ raw: Number(m[1]), typed: Number(m[2]) }));
}

describe('multi-route example: two routes share one batched stage', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startService('examples/multi-route/main.js', { MOSEC_COMPRESSION: '1' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('answers raw bytes on POST /inference with their JSON length', async () => {
    const answer = await post(`${server.url}/inference`, Buffer.from('hello mosec'), { 'content-type': 'application/octet-stream' });
    expect(answer).toMatchObject({ status: 200, body: '{"length":11}' });
    // Whatever the content type: the first stage reads the body as bytes (its own deserialize).
    expect((await post(`${server.url}/inference`, 'hello')).body).toBe('{"length":5}');
  });

  it('answers msgpack {name, bin} on POST /v1/inference with msgpack {length}', async () => {
    const response = await postTyped(server.url, { name: 'type check', bin: Buffer.from('hello mosec with type check') });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/msgpack/);
    expect(msgpack.unpack(Buffer.from(await response.arrayBuffer()))).toEqual({ length: 27 });
  });

  it('refuses a typed request whose bin is not bytes with 422 and the reason', async () => {
    const response = await postTyped(server.url, { name: 'type check', bin: 'text' });
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({ message: 'request validation error', errors: [{ property: 'bin', messages: ['bin must be bytes (msgpack bin)'] }] });
  });

  it('batches requests of both routes together in the shared stage', async () => {
    let mixed = false;
    for (let round = 0; round < 5 && !mixed; round++) {
      const before = batchesLogged(server.logs()).length;
      const raw = Array.from({ length: 8 }, (_, i) => post(`${server.url}/inference`, Buffer.alloc(i + 1), { 'content-type': 'application/octet-stream' }));
      const typed = Array.from({ length: 8 }, (_, i) => postTyped(server.url, { name: 'n', bin: Buffer.alloc(100 + i) }));
      const rawAnswers = await Promise.all(raw);
      const typedAnswers = await Promise.all(typed);
      rawAnswers.forEach((answer, i) => expect(JSON.parse(answer.body)).toEqual({ length: i + 1 }));
      for (const [i, response] of typedAnswers.entries()) {
        expect(msgpack.unpack(Buffer.from(await response.arrayBuffer()))).toEqual({ length: 100 + i });
      }
      mixed = batchesLogged(server.logs()).slice(before).some((batch) => batch.raw > 0 && batch.typed > 0);
    }
    expect(mixed).toBe(true);
  });

  it('accepts a gzip-compressed body', async () => {
    const answer = await post(`${server.url}/inference`, gzipSync(Buffer.alloc(5000, 'x')), {
      'content-type': 'application/octet-stream',
      'content-encoding': 'gzip',
    });
    expect(answer).toMatchObject({ status: 200, body: '{"length":5000}' });
  });
});
