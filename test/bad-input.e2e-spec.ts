import { Packr } from 'msgpackr';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { Answer, post, RunningServer, startService } from './support/server';

const FIXTURE = 'test/fixtures/resilience/main.js';
const LIMIT = 4 * 1024 * 1024;
const msgpack = new Packr({ useRecords: false });
const MSGPACK = { 'content-type': 'application/msgpack' };

/** `depth` arrays inside each other, as JSON text. */
function nestedArrays(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

/** `depth` objects inside each other (`{"a":{"a":...}}`), as JSON text. */
function nestedObjects(depth: number): string {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

describe('bad input (real processes, real HTTP)', () => {
  let server: RunningServer;
  let workersAtStart: number[];
  const at = (path: string) => `${server.url}${path}`;
  /** Same bytes to every route, one after the other. */
  const toEach = async (paths: string[], body: string | Buffer, headers: Record<string, string> = {}) => {
    const answers: Record<string, Answer> = {};
    for (const path of paths) answers[path] = await post(at(path), body, headers);
    return answers;
  };
  const statusesOf = (answers: Record<string, Answer>) => Object.fromEntries(Object.entries(answers).map(([k, a]) => [k, a.status]));

  beforeAll(async () => {
    server = await startService(FIXTURE, { MOSEC_MAX_REQUEST_SIZE: String(LIMIT), MOSEC_COMPRESSION: '1' });
    workersAtStart = server.workerPids().sort();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('answers 413 for a body over the limit, with or without Content-Length, and for a gzip bomb', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(LIMIT) });
    expect(await post(at('/probe'), big)).toMatchObject({ status: 413, body: 'request body is too large' });
    // Chunked: the size is only known while reading.
    const chunked = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 5; i++) controller.enqueue(Buffer.alloc(LIMIT / 4, 0x20));
        controller.close();
      },
    });
    const streamed = await fetch(at('/probe'), { method: 'POST', body: chunked, duplex: 'half' } as RequestInit);
    expect(streamed.status).toBe(413);
    // 50 KB on the wire that inflate to 50 MB.
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(100_000);
    expect(await post(at('/probe'), bomb, { 'content-encoding': 'gzip' })).toMatchObject({ status: 413 });
    // A body just under the limit still goes through.
    const fits = JSON.stringify({ pad: 'x'.repeat(LIMIT - 100) });
    expect((await post(at('/probe'), fits)).status).toBe(200);
  });

  it('reads on after a 413 so an uploading client gets its answer, but not more than the limit again', async () => {
    // A client declaring 100 times the limit and sending without pause: it reads the 413 while it
    // sends, and the service cuts the connection after about one more limit's worth of bytes.
    const { response, sent } = await uploadWithoutPause(server.url, '/probe', 100 * LIMIT);
    expect(response).toMatch(/^HTTP\/1\.1 413 /);
    expect(sent).toBeLessThan(20 * LIMIT);
  });

  it('answers 400 for truncated or malformed JSON', async () => {
    for (const body of ['{"time": 0.1', '{"time": 0.1,}', "{'time': 0.1}", 'time=0.1', '{"time": 0.1}}', '\u0000']) {
      const answers = await toEach(['/sleep', '/probe', '/probe-dto'], body);
      expect(statusesOf(answers)).toEqual({ '/sleep': 400, '/probe': 400, '/probe-dto': 400 });
      for (const answer of Object.values(answers)) expect(answer.body).toMatch(/^decoding error: invalid JSON/);
    }
  });

  it('answers 400 for truncated or malformed msgpack', async () => {
    const whole = msgpack.pack({ time: 0.1, name: 'a longer string' });
    const bodies = [
      whole.subarray(0, whole.length - 4), // truncated inside a string
      Buffer.from([0x82, 0xa4]), // a map announcing two entries, cut after one byte
      Buffer.from('{"time": 0.1}'), // JSON labelled msgpack: one number, then bytes left over
      Buffer.from([0xdd, 0x7f, 0xff, 0xff, 0xff]), // an array announcing 2^31 items, with none
    ];
    for (const body of bodies) {
      const answers = await toEach(['/sleep', '/probe', '/probe-dto'], body, MSGPACK);
      expect(statusesOf(answers)).toEqual({ '/sleep': 400, '/probe': 400, '/probe-dto': 400 });
      for (const answer of Object.values(answers)) expect(answer.body).toMatch(/^decoding error: invalid msgpack/);
    }
  });

  it('answers a wrong Content-Type from a client that is not a browser by what the body is', async () => {
    // As mosec, a type the service has no codec for is read as JSON (`curl -d` labels JSON as a
    // form): so the answer is 400 when the body is not JSON, and the body is served when it is.
    const xml = await post(at('/probe'), '<time>1</time>', { 'content-type': 'application/xml' });
    expect(xml.status).toBe(400);
    expect(xml.body).toMatch(/^decoding error: invalid JSON/);
    const form = await post(at('/sleep'), '{"time": 0}', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(200);
    // text/* reaches a stage as a string, which this one refuses as invalid (422)...
    expect((await post(at('/sleep'), '{"time": 0}', { 'content-type': 'text/plain' })).status).toBe(422);
    // ...and a route with a request DTO takes only JSON and msgpack (415).
    const text = await post(at('/probe-dto'), '{"name": "x"}', { 'content-type': 'text/plain' });
    expect(text).toMatchObject({ status: 415, body: 'unsupported media type: this route takes a JSON or msgpack body, not text/plain' });
    // Also 415: a Content-Encoding the service cannot undo.
    expect((await post(at('/probe'), '{}', { 'content-encoding': 'compress' })).status).toBe(415);
    expect((await post(at('/probe'), 'not gzip', { 'content-encoding': 'gzip' })).status).toBe(400);
  });

  it('lets no __proto__ or constructor key pollute Object.prototype, in the workers or the HTTP process', async () => {
    // Each body with what /probe-dto answers (/probe, without a DTO, serves them all): the keys are
    // dropped or kept as data, and an object with its own `constructor` cannot become a DTO (422).
    const polluting: Array<[string, number]> = [
      ['{"__proto__": {"polluted": "yes"}}', 200],
      ['{"constructor": {"prototype": {"polluted": "yes"}}}', 200],
      ['{"name": "x", "data": {"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}}', 422],
      ['{"data": {"a": [{"__proto__": {"polluted": "yes"}}]}}', 200],
    ];
    for (const [json, dtoStatus] of polluting) {
      for (const [body, headers] of [[json, {}], [msgpack.pack(JSON.parse(json)), MSGPACK]] as const) {
        const answers = await toEach(['/probe', '/probe-dto'], body, headers);
        expect([json, statusesOf(answers)]).toEqual([json, { '/probe': 200, '/probe-dto': dtoStatus }]);
        for (const answer of Object.values(answers).filter((a) => a.status === 200)) {
          expect(JSON.parse(answer.body)).toMatchObject({ relayPolluted: null, probePolluted: null });
        }
      }
    }
    // class-transformer cannot turn an object with its own `constructor` key into a DTO: 422, not 500.
    const nested = await post(at('/probe-dto'), '{"data": {"constructor": {"prototype": {"polluted": "yes"}}}}');
    expect(nested.status).toBe(422);
    expect(JSON.parse(nested.body).errors).toEqual([{ property: '', messages: ['the request body cannot be read as ProbeRequest'] }]);
    // Later requests, in the same worker processes and the same HTTP process, see a clean `{}`.
    for (const path of ['/probe', '/probe-dto']) {
      const answer = await post(at(path), {});
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ relayPolluted: null, probePolluted: null });
    }
    expect(await (await fetch(at('/http-probe'))).json()).toEqual({ polluted: null });
  });

  it('answers 400 for 10,000-deep nesting, in JSON and msgpack, and serves reasonable nesting', async () => {
    const paths = ['/sleep', '/probe', '/probe-dto'];
    for (const json of [nestedArrays(10_000), nestedObjects(10_000), `{"data": ${nestedObjects(10_000)}}`]) {
      const answers = await toEach(paths, json);
      // A route with a request DTO counts the depth before it parses (413, naming maxBodyDepth).
      expect(statusesOf(answers)).toEqual({ '/sleep': 400, '/probe': 400, '/probe-dto': 413 });
      for (const path of ['/sleep', '/probe']) expect(answers[path].body).toBe('decoding error: invalid JSON: nested deeper than 512 levels');
      expect(answers['/probe-dto'].body).toBe('request body is too large: the body nests arrays and objects more than 512 deep (maxBodyDepth)');
    }
    const deepMsgpack = Buffer.concat([Buffer.alloc(10_000, 0x91), Buffer.from([0x90])]); // [[[...]]]
    expect(statusesOf(await toEach(paths, deepMsgpack, MSGPACK))).toEqual({ '/sleep': 400, '/probe': 400, '/probe-dto': 413 });
    const answer = await post(at('/probe-dto'), `{"data": ${nestedObjects(500)}}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('{"a":'.repeat(500));
  });

  it('takes a 1e6-element array without harm: served where a stage accepts it, refused where not', async () => {
    const million = `[${new Array(1_000_000).fill(0).join(',')}]`;
    const answers = await toEach(['/probe', '/sleep', '/probe-dto'], million);
    // A route with a request DTO counts the elements before it parses (413, naming maxArrayLength).
    expect(statusesOf(answers)).toEqual({ '/probe': 200, '/sleep': 422, '/probe-dto': 413 });
    expect(JSON.parse(answers['/probe'].body)).toMatchObject({ kind: 'array', size: 1_000_000 });
    const packed = await post(at('/probe'), msgpack.pack(new Array(1_000_000).fill(0)), MSGPACK);
    expect(JSON.parse(packed.body)).toMatchObject({ kind: 'array', size: 1_000_000 });
  });

  it('answers 400 for a body that is not UTF-8, and replaces bad bytes inside a JSON string', async () => {
    const garbage = await post(at('/probe'), Buffer.from([0xff, 0xfe, 0xfd, 0x00]));
    expect(garbage.status).toBe(400);
    // Bytes that are not UTF-8 inside a string become U+FFFD, as Node's and fastify's own JSON
    // parsing do: the request is served and the client sees what the service read.
    const inString = Buffer.concat([Buffer.from('{"name": "a'), Buffer.from([0xff, 0xc3]), Buffer.from('b"}')]);
    const answer = await post(at('/probe'), inString);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).request).toEqual({ name: 'a\ufffd\ufffdb' });
  });

  it('answers 400 for an empty body, whatever its type', async () => {
    for (const path of ['/sleep', '/probe', '/probe-dto']) {
      expect((await post(at(path), '')).status).toBe(400);
      expect((await post(at(path), Buffer.alloc(0), MSGPACK)).status).toBe(400);
    }
  });

  it('is unaffected by all of the above: same workers, ready, serving', async () => {
    expect(server.workerPids().sort()).toEqual(workersAtStart);
    expect((await fetch(at('/'))).status).toBe(200);
    expect((await post(at('/sleep'), { time: 0 })).status).toBe(200);
    expect(server.logs()).not.toMatch(/exited|killed|replacing/);
  });
});

/**
 * POSTs `size` declared bytes over a raw socket, writing as fast as the socket takes them until the
 * service closes it; resolves with what it answered and how many bytes went out.
 */
function uploadWithoutPause(url: string, path: string, size: number): Promise<{ response: string; sent: number }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    let response = '';
    const pump = () => {
      while (sent < size && !socket.destroyed) {
        sent += chunk.length;
        if (!socket.write(chunk)) return void socket.once('drain', pump);
      }
    };
    socket.once('connect', () => {
      socket.write(`POST ${path} HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: ${size}\r\n\r\n`);
      pump();
    });
    socket.on('data', (data) => (response += data));
    socket.on('error', () => undefined); // the cut shows as a reset: what this waits for
    socket.once('close', () => resolve({ response, sent }));
  });
}
