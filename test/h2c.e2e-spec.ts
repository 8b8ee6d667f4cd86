import { execFile, execFileSync } from 'node:child_process';
import { ClientHttp2Session, connect, constants, IncomingHttpHeaders } from 'node:http2';
import { connect as connectTcp } from 'node:net';
import { promisify } from 'node:util';
import { parseMetrics, total } from './support/metrics';
import { Prerequisite, itNeeding } from './support/prerequisites';
import { parseEvents } from './support/sse';
import { eventually, exitWithin, RunningServer, sleep, startService } from './support/server';

interface H2Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request on an HTTP/2 session; `body` may be given in pieces, and `stall` leaves the stream open after them. */
function h2(session: ClientHttp2Session, path: string, options: { body?: string | Buffer | Buffer[]; headers?: Record<string, string | number>; stall?: boolean } = {}): Promise<H2Answer> {
  return new Promise((resolve, reject) => {
    const method = options.body === undefined ? 'GET' : 'POST';
    const stream = session.request({ ':method': method, ':path': path, ...options.headers }, { endStream: method === 'GET' });
    let headers: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on('response', (received) => (headers = received));
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('close', () => {
      if (headers[':status'] === undefined) return reject(new Error(`${path}: stream closed without an answer (code ${stream.rstCode})`));
      resolve({ status: Number(headers[':status']), headers, body: Buffer.concat(chunks).toString() });
    });
    stream.on('error', () => undefined); // a reset after the answer: the answer is what is tested
    if (options.body === undefined) return;
    for (const piece of Array.isArray(options.body) ? options.body : [options.body]) stream.write(piece);
    if (!options.stall) stream.end();
  });
}

const json = (value: unknown) => ({ body: JSON.stringify(value), headers: { 'content-type': 'application/json' } });

/** Readiness over HTTP/2 only: the service speaks no HTTP/1 on an h2c port. */
async function waitReadyH2(url: string, server: RunningServer): Promise<void> {
  const readyOverH2 = async () => {
    if (server.proc.exitCode !== null) throw new Error(`server exited:\n${server.logs()}`);
    const session = connect(url);
    session.on('error', () => undefined);
    const status = await h2(session, '/').then((answer) => answer.status, () => 0);
    session.close();
    return status === 200;
  };
  await eventually(readyOverH2, 30_000, () => `not ready over h2c:\n${server.logs()}`);
}

function curlWithHttp2(): Prerequisite {
  let version = '';
  try {
    version = execFileSync('curl', ['--version']).toString();
  } catch {
    // missing: said below
  }
  return { present: /\bHTTP2\b/.test(version), missing: 'curl with HTTP/2 is not installed (apt-get install -y curl)' };
}

describe('HTTP/2 cleartext (h2c) with new FastifyAdapter({ http2: true }) (real processes)', () => {
  let server: RunningServer;
  let session: ClientHttp2Session;
  const metrics = async () => parseMetrics((await h2(session, '/metrics')).body);

  beforeAll(async () => {
    server = await startService(
      'test/fixtures/h2c/main.js',
      { MOSEC_TIMEOUT: '1500', MOSEC_READ_TIMEOUT: '2000', MOSEC_CAPACITY: '24' },
      { waitReady: false },
    );
    await waitReadyH2(server.url, server);
    session = connect(server.url);
  });
  afterAll(async () => {
    session?.destroy();
    await server?.stop();
  });

  it('answers readiness and serves the metrics over h2c', async () => {
    const ready = await h2(session, '/');
    expect(ready).toMatchObject({ status: 200, body: 'MOSEC service' });
    const text = (await h2(session, '/metrics')).body;
    expect(text).toMatch(/^# TYPE mosec_service_batch_size histogram$/m);
  });

  it('batches concurrent streams of one session: 16 requests of 0.3 s each, in far fewer forwards', async () => {
    const before = await metrics();
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 16 }, () => h2(session, '/inference', json({ time: 0.3 }))));
    console.log(`16 streams of 0.3 s answered in ${Date.now() - started} ms (4.8 s one by one)`);
    expect(answers.map((answer) => answer.status)).toEqual(Array(16).fill(200));
    expect(JSON.parse(answers[0].body)).toEqual({ msg: 'sleep 0.3 seconds' });
    expect(answers[0].headers['content-type']).toMatch(/^application\/json/);
    // The forwards counted, not the time taken (which a busy machine stretches): one by one is 16.
    const after = await metrics();
    const forwards = total(after, 'mosec_service_batch_size_count', { stage: 'Inference' }) - total(before, 'mosec_service_batch_size_count', { stage: 'Inference' });
    expect(forwards).toBeGreaterThan(0);
    expect(forwards).toBeLessThanOrEqual(8);
    expect(total(after, 'mosec_service_throughput', { code: '200', endpoint: '/inference' })).toBeGreaterThanOrEqual(16);
  });

  it('resets a stream of more than 128 headers (ENHANCE_YOUR_CALM), answers one of 100, and the session goes on', async () => {
    const headers = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`x-extra-${i}`, 'a']));
    expect((await h2(session, '/', { headers: headers(100) })).status).toBe(200);
    await expect(h2(session, '/', { headers: headers(200) })).rejects.toThrow(`/: stream closed without an answer (code ${constants.NGHTTP2_ENHANCE_YOUR_CALM})`);
    expect((await h2(session, '/')).status).toBe(200);
  });

  it('answers 422 to what a stage rejects and 400 to a body that is not JSON', async () => {
    const invalid = await h2(session, '/inference', json({ time: -1 }));
    expect(invalid).toMatchObject({ status: 422, body: 'request validation error: time must be a non-negative number' });
    const garbled = await h2(session, '/inference', { body: '{"time":', headers: { 'content-type': 'application/json' } });
    expect(garbled.status).toBe(400);
    expect(garbled.body).toMatch(/^decoding error/);
  });

  it('answers 413 to a body over maxRequestSize (64 KiB), declared or not, and the session goes on', async () => {
    const big = Buffer.alloc(70 * 1024, 0x20);
    const declared = await h2(session, '/inference', { body: big, headers: { 'content-type': 'application/json', 'content-length': big.length } });
    expect(declared).toMatchObject({ status: 413, body: 'request body is too large' });
    // Node's http2 client sends no Content-Length: the body is counted as it arrives.
    const undeclared = await h2(session, '/inference', { body: [big.subarray(0, 40_000), big.subarray(40_000)], headers: { 'content-type': 'application/json' } });
    expect(undeclared).toMatchObject({ status: 413, body: 'request body is too large' });
    expect((await h2(session, '/inference', json({ time: 0 }))).status).toBe(200);
  });

  it('answers 429 once capacity (24) requests are held', async () => {
    const answers = await Promise.all(Array.from({ length: 40 }, () => h2(session, '/inference', json({ time: 0.3 }))));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(16);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(8);
    expect(answers.find((answer) => answer.status === 429)!.body).toBe('too many request: task queue is full');
  });

  it('streams Server-Sent Events, without the connection header HTTP/2 forbids', async () => {
    const answer = await h2(session, '/stream', json({ text: 'hi' }));
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/event-stream');
    expect(answer.headers.connection).toBeUndefined();
    expect(parseEvents(answer.body)).toEqual(Array(5).fill({ event: 'message', data: 'hi' }));
    const failed = await h2(session, '/stream', json({}));
    expect(parseEvents(failed.body)).toEqual([{ event: 'error', data: 'SSE inference error: 422: Unprocessable Content: request validation error: text is required' }]);
    expect(server.logs()).not.toMatch(/UnsupportedWarning/);
  });

  it('answers 408 to a request whose body stops coming (readTimeout 2 s), and the session\'s other streams go on', async () => {
    const started = Date.now();
    const slow = h2(session, '/inference', { body: '{"time":', headers: { 'content-type': 'application/json' }, stall: true });
    expect((await h2(session, '/')).status).toBe(200);
    const answer = await slow;
    expect(answer).toMatchObject({ status: 408, body: 'request timeout: the request was not received in time' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    expect((await h2(session, '/inference', json({ time: 0 }))).status).toBe(200);
  });

  it('drops a queued task whose stream the client resets, before it costs a forward', async () => {
    const before = total(await metrics(), 'mosec_service_dropped_tasks_total', { endpoint: '/inference' });
    const busy = h2(session, '/inference', json({ time: 0.6 }));
    await sleep(150); // its batch is in the Inference worker: the next requests queue behind it
    const queued = Array.from({ length: 3 }, () => session.request({ ':method': 'POST', ':path': '/inference', 'content-type': 'application/json' }));
    for (const stream of queued) {
      stream.on('error', () => undefined);
      stream.end(JSON.stringify({ time: 0 }));
    }
    await sleep(150);
    for (const stream of queued) stream.close(constants.NGHTTP2_CANCEL);
    expect((await busy).status).toBe(200);
    expect(total(await metrics(), 'mosec_service_dropped_tasks_total', { endpoint: '/inference' }) - before).toBe(3);
  });

  it('answers 408 when the service timeout (1.5 s) passes', async () => {
    const answer = await h2(session, '/inference', json({ time: 2 }));
    expect(answer).toMatchObject({ status: 408, body: 'inference timeout' });
  });

  it('closes a connection that sends nothing within the headers timeout', async () => {
    const socket = connectTcp(Number(new URL(server.url).port), '127.0.0.1');
    socket.resume(); // the server's SETTINGS frame; unread, it would hold back the end
    const started = Date.now();
    await new Promise((resolve) => socket.once('close', resolve));
    expect(Date.now() - started).toBeLessThan(4000);
  });

  itNeeding(curlWithHttp2(), 'serves curl --http2-prior-knowledge', async () => {
    const run = (args: string[]) => promisify(execFile)('curl', ['-s', '-i', '--http2-prior-knowledge', ...args]).then((out) => out.stdout);
    expect(await run([`${server.url}/`])).toMatch(/^HTTP\/2 200/);
    await sleep(1600); // the Inference worker is free again after the timed-out forward
    const answer = await run(['-H', 'content-type: application/json', '-d', '{"time":0.1}', `${server.url}/inference`]);
    expect(answer).toMatch(/^HTTP\/2 200/);
    expect(answer).toContain('{"msg":"sleep 0.1 seconds"}');
  });

  it('stops on SIGTERM with exit code 0 while a client holds its session open', async () => {
    expect((await h2(session, '/')).status).toBe(200);
    const goaway = new Promise((resolve) => session.once('goaway', resolve));
    server.proc.kill('SIGTERM');
    expect(await exitWithin(server, 8000)).toBe(0);
    await expect(goaway).resolves.toBe(constants.NGHTTP2_NO_ERROR);
    expect(server.logs()).not.toMatch(/TypeError/);
  });
});
