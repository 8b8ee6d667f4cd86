import { connect, Socket } from 'node:net';
import { join } from 'node:path';
import { DIST, eventually, exitOf, post, RunningServer, sleep, startCommand, startService } from './support/server';

const FIXTURE = 'test/fixtures/options/main.js';
const MAX_CONNECTIONS = 3;
const IDLE_TIMEOUT_MS = 1000;

/** A raw connection to the server, and a promise of the ms from `opened` until the server closed it. */
function open(url: string): Promise<{ socket: Socket; closed: Promise<number>; opened: number }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const opened = Date.now();
    const closed = new Promise<number>((done) => socket.once('close', () => done(Date.now() - opened)));
    socket.on('error', () => undefined); // a reset is one way of being closed
    socket.once('connect', () => resolve({ socket, closed, opened }));
    socket.once('error', reject);
  });
}

/** Sends `GET /` with keep-alive on `socket` and resolves with the answer's status line. */
function getReadiness(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    socket.once('data', (data) => resolve(data.toString().split('\r\n')[0]));
    socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
  });
}

/** Whichever comes first: the close (its ms) or `'open'` after `ms`. */
function closedWithin(connection: { closed: Promise<number> }, ms: number): Promise<number | 'open'> {
  return Promise.race([connection.closed, sleep(ms).then(() => 'open' as const)]);
}

describe('module options and the errors a stage throws', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startService(FIXTURE, {
      MOSEC_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
      MOSEC_IDLE_TIMEOUT: String(IDLE_TIMEOUT_MS),
      MODULE_OPTIONS: JSON.stringify({ metrics: false, openapi: false, forbidUnknown: true }),
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("a stage's ClientError and DecodingError answer 400 with mosec's text", async () => {
    expect(await post(`${server.url}/act`, { throw: 'client' })).toMatchObject({ status: 400, body: 'bad request: the sum must be positive' });
    expect(await post(`${server.url}/act`, { throw: 'decoding' })).toMatchObject({ status: 400, body: 'decoding error: the image is not a PNG' });
  });

  it('guards, interceptors and filters on the @Pipeline class reach its route only', async () => {
    const guarded = `${server.url}/guarded`;
    expect((await post(guarded, {})).status).toBe(403);
    const open = await fetch(guarded, { method: 'POST', headers: { 'content-type': 'application/json', 'x-token': 'open-sesame' }, body: '{}' });
    expect([open.status, open.headers.get('x-stamp'), await open.json()]).toEqual([200, 'guarded', { slept: 0, forwarded: [] }]);
    // The class's filter renders mosec's answer its own way...
    const failed = await post(guarded, { throw: 'client' }, { 'x-token': 'open-sesame' });
    expect([failed.status, JSON.parse(failed.body)]).toEqual([400, { problem: 'bad request: the sum must be positive' }]);
    // ...and the same stage on a route without decorators answers as mosec does.
    const plain = await fetch(`${server.url}/act`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"throw":"client"}' });
    expect([plain.status, plain.headers.get('x-stamp'), await plain.text()]).toEqual([400, null, 'bad request: the sum must be positive']);
  });

  it('metrics: false serves no /metrics', async () => {
    expect((await post(`${server.url}/act`, {})).status).toBe(200);
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
  });

  it('openapi: false serves no OpenAPI document and no Swagger UI', async () => {
    expect((await fetch(`${server.url}/openapi/metadata.json`)).status).toBe(404);
    expect((await fetch(`${server.url}/openapi/swagger`)).status).toBe(404);
  });

  it('forbidUnknown: true refuses a property the request DTO does not declare (422), instead of dropping it', async () => {
    expect(await post(`${server.url}/greet`, { name: 'ada' })).toMatchObject({ status: 200, body: '"hello ada"' });
    const answer = await post(`${server.url}/greet`, { name: 'ada', admin: true });
    expect(answer.status).toBe(422);
    expect(JSON.parse(answer.body)).toEqual({
      message: 'request validation error',
      errors: [{ property: 'admin', messages: ['property admin should not exist'] }],
    });
  });

  it('maxConnections: a connection past the cap is closed at once; one is taken again once another goes', async () => {
    // Held connections that have sent nothing yet: the headers timeout (10 s) governs them, not idleTimeout.
    const held = [];
    for (let i = 0; i < MAX_CONNECTIONS; i++) held.push(await open(server.url));
    try {
      const extra = await open(server.url);
      expect(await closedWithin(extra, 3000)).not.toBe('open');
      for (const connection of held) expect(await closedWithin(connection, 0)).toBe('open');
      held.pop()!.socket.destroy();
      const served = async () => (await fetch(`${server.url}/`, { headers: { connection: 'close' } }).then((r) => r.status, () => 0)) === 200;
      await eventually(served, 3000, () => 'a closed connection did not make room for a new one');
    } finally {
      for (const connection of held) connection.socket.destroy();
    }
  });

  it('idleTimeout: a keep-alive connection with no next request is closed after it', async () => {
    const connection = await open(server.url);
    try {
      expect(await getReadiness(connection.socket)).toBe('HTTP/1.1 200 OK');
      const answered = Date.now() - connection.opened;
      const closedAfter = await closedWithin(connection, 10_000);
      expect(closedAfter).not.toBe('open');
      // Wide margins: not before the timeout, and long before the default 72 s.
      expect((closedAfter as number) - answered).toBeGreaterThanOrEqual(IDLE_TIMEOUT_MS - 100);
    } finally {
      connection.socket.destroy();
    }
  });
});

describe('maxConnections above the open-files limit', () => {
  it('stops the start with a message naming the option and the limit', async () => {
    const server = await startCommand(process.execPath, [join(DIST, FIXTURE)], { env: { MOSEC_MAX_CONNECTIONS: '100000000' }, waitReady: false });
    const code = await exitOf(server, 30_000);
    expect(code).toBe(1);
    expect(server.logs()).toMatch(/maxConnections 100000000 is more than the open-files limit \(ulimit -n \d+\) leaves for connections \(\d+\)/);
  }, 40_000);
});
