import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { rss } from './support/load';
import { scrape, total } from './support/metrics';
import { eventually, post, RunningServer, sleep, startService } from './support/server';
import { closed, open } from './support/sockets';

/**
 * What clients can make the byte budget (`maxBytesInFlight`) hold, at a small scale (the full size is
 * `npm run attack`): every byte it counts must come back, whatever way the request ends, and what
 * decoding holds must be counted before it is spent.
 */
const FIXTURE = 'test/fixtures/attack/main.js';
const MiB = 2 ** 20;
/** 1 GiB of zeros in 841 bytes of brotli, with a 16 MiB window. */
const BOMB = readFileSync(join(__dirname, 'fixtures', 'attack', 'zeros-1gib.br'));
const HEAD = 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n';

const inflightBytes = async (server: RunningServer) => total(await scrape(server.url), 'mosec_service_inflight_bytes');

/** The status line each connection got before it closed (`closed` for none). */
function statusLines(results: Array<{ answer: string }>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { answer } of results) {
    const status = /^HTTP\/1\.1 (\d+)/.exec(answer)?.[1] ?? 'closed';
    counts[status] = (counts[status] ?? 0) + 1;
  }
  return counts;
}

/** Opens `count` connections and sends each `head`, then `body`. */
async function upload(server: RunningServer, count: number, head: string, body: Buffer): Promise<Socket[]> {
  const sockets = await Promise.all(Array.from({ length: count }, () => open(server)));
  for (const socket of sockets) {
    socket.write(head);
    socket.write(body);
  }
  return sockets;
}

describe('the byte budget', () => {
  it('gives back what compressed uploads held once the read timeout closes them or their clients leave', async () => {
    const server = await startService(FIXTURE, {
      MOSEC_COMPRESSION: '1',
      // Time for the 8 MiB request at the end on a busy machine; uploads are timed by the read timeout.
      MOSEC_TIMEOUT: '20000',
      MOSEC_READ_TIMEOUT: '2000',
      MOSEC_HEADERS_TIMEOUT: '1000',
      MOSEC_MAX_BYTES_IN_FLIGHT: String(64 * MiB),
    });
    try {
      // 100 uploads whose first 300 bytes decode to megabytes, then nothing more.
      const since = Date.now();
      const sockets = await upload(server, 100, `${HEAD}Content-Encoding: br\r\nContent-Length: ${BOMB.length}\r\n\r\n`, BOMB.subarray(0, 300));
      const results = await Promise.all(sockets.map((socket) => closed(socket, since)));
      for (const { afterMs } of results) expect(afterMs).toBeLessThan(10_000);
      // Every one was told something: timed out (408), too large once decoded (413), or over the budget (429).
      expect(Object.keys(statusLines(results)).every((status) => ['408', '413', '429'].includes(status))).toBe(true);
      // 100 more, whole, whose clients go away while they are being decoded.
      const aborted = await upload(server, 100, `${HEAD}Content-Encoding: br\r\nContent-Length: ${BOMB.length}\r\n\r\n`, BOMB);
      for (const socket of aborted) setTimeout(() => socket.destroy(), 20 + Math.random() * 200);
      await eventually(async () => (await inflightBytes(server)) === 0, 10_000);
      // A request as large as the budget lets one be is taken again.
      const large = await post(`${server.url}/echo`, { pad: 'x'.repeat(8 * MiB) });
      expect(large.status).toBe(200);
      expect(await inflightBytes(server)).toBe(0);
    } finally {
      await server.stop();
    }
  }, 40_000);

  it('gives back a pipelined request\'s bytes when its connection closes before its answer began', async () => {
    const server = await startService(FIXTURE);
    try {
      const socket = await open(server);
      const since = Date.now();
      const outcome = closed(socket, since);
      const slow = '{"ms":1000}';
      const queued = JSON.stringify({ pad: 'x'.repeat(MiB) });
      // The second request is read while the first is answered: its answer never starts.
      socket.write(`${HEAD}Content-Length: ${slow.length}\r\n\r\n${slow}${HEAD}Content-Length: ${queued.length}\r\n\r\n${queued}`);
      await eventually(async () => (await inflightBytes(server)) > MiB);
      socket.destroy();
      await outcome;
      await eventually(async () => (await inflightBytes(server)) === 0, 5_000);
    } finally {
      await server.stop();
    }
  });

  it('refuses compressed bodies with 415 while compression is off, before decoding a byte', async () => {
    const server = await startService(FIXTURE);
    try {
      const before = rss(server.proc.pid!);
      const since = Date.now();
      const sockets = await upload(server, 50, `${HEAD}Connection: close\r\nContent-Encoding: br\r\nContent-Length: ${BOMB.length}\r\n\r\n`, BOMB);
      const results = await Promise.all(sockets.map((socket) => closed(socket, since)));
      expect(statusLines(results)).toEqual({ 415: 50 });
      expect(results[0].answer).toContain('compression is off (MOSEC_COMPRESSION');
      expect(server.logs().match(/a compressed request body got 415: compression is off/g)).toHaveLength(1);
      expect((rss(server.proc.pid!) - before) / MiB).toBeLessThan(50);
      expect(await inflightBytes(server)).toBe(0);
      expect((await post(`${server.url}/echo`, {})).status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it('counts what brotli bombs decode, and their decoders, against the budget, and gives the memory back', async () => {
    const server = await startService(FIXTURE, { MOSEC_COMPRESSION: '1', MOSEC_MAX_BYTES_IN_FLIGHT: String(64 * MiB) });
    try {
      const pid = server.proc.pid!;
      const before = rss(pid);
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, rss(pid))), 50);
      const since = Date.now();
      // 100 bombs of 841 bytes, 1 GiB each once decoded, whole and at once.
      const sockets = await upload(server, 100, `${HEAD}Connection: close\r\nContent-Encoding: br\r\nContent-Length: ${BOMB.length}\r\n\r\n`, BOMB);
      const results = await Promise.all(sockets.map((socket) => closed(socket, since)));
      clearInterval(sampler);
      const statuses = statusLines(results);
      expect(Object.keys(statuses).sort()).toEqual(['413', '429']);
      expect(results.map((r) => r.answer).join('')).toContain('(maxBytesInFlight)');
      // Before the decoders counted, each held its 16 MiB window: 1.6 GiB for these 100.
      expect((peak - before) / MiB).toBeLessThan(400);
      expect(await inflightBytes(server)).toBe(0);
      expect(server.logs()).toMatch(/at maxBytesInFlight \(64\.0 MiB\): requests over it get 429/);
      // The burst's memory goes back once it is over (a collection, a second after).
      await sleep(3000);
      expect((rss(pid) - before) / MiB).toBeLessThan(200);
      expect((await post(`${server.url}/echo`, {})).status).toBe(200);
    } finally {
      await server.stop();
    }
  }, 40_000);
});

describe('clients that never read their answers', () => {
  it('are closed after writeTimeout, and what they held goes back to the budget', async () => {
    const server = await startService(FIXTURE, { MOSEC_MAX_BYTES_IN_FLIGHT: String(32 * MiB), MOSEC_WRITE_TIMEOUT: '2000', MOSEC_TIMEOUT: '5000' });
    try {
      const body = JSON.stringify({ pad: 'x'.repeat(7 * MiB) });
      // 4 clients post 7 MiB each, are answered as much, and never read a byte of it.
      const sockets = await Promise.all(Array.from({ length: 4 }, () => open(server)));
      for (const socket of sockets) socket.write(`${HEAD}Content-Length: ${body.length}\r\n\r\n${body}`);
      await eventually(async () => (await inflightBytes(server)) >= 28 * MiB);
      const since = Date.now();
      // A client that reads: 429 while they hold the budget, 200 once they are closed.
      let answer = await post(`${server.url}/echo`, body);
      expect(answer.status).toBe(429);
      await eventually(async () => (answer = await post(`${server.url}/echo`, body)).status !== 429, 20_000);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body).pad).toHaveLength(7 * MiB);
      expect(server.logs()).toMatch(/an answer was not taken within writeTimeout \(2000 ms\): its connection is closed/);
      await eventually(async () => (await inflightBytes(server)) === 0);
      sockets.forEach((socket) => socket.destroy());
    } finally {
      await server.stop();
    }
  }, 40_000);
});
