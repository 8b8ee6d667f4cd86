import type { FastifyReply, FastifyRequest } from 'fastify';
import * as zlib from 'node:zlib';

/** Answers smaller than this go as they are: compressing them costs more than it saves. */
const THRESHOLD = 1024;

type Compress = (data: Buffer, callback: (error: Error | null, result: Buffer) => void) => void;

/** zstd where this Node's zlib has it (Node 22.15 and later). */
const zstdCompress = (zlib as unknown as { zstdCompress?: Compress }).zstdCompress;

/**
 * In order of preference. zstd at its default level: the fastest for its size. Brotli at quality 4:
 * near gzip's speed, smaller output (its default, 11, is far slower).
 */
const ENCODINGS: Array<[string, Compress]> = [
  ...(zstdCompress ? [['zstd', zstdCompress] as [string, Compress]] : []),
  ['br', (data, callback) => zlib.brotliCompress(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } }, callback)],
  ['gzip', (data, callback) => zlib.gzip(data, callback)],
  ['deflate', (data, callback) => zlib.deflate(data, callback)],
];

/** The startup line of a service that compresses its answers: which encodings, and why not zstd where it cannot. */
export function compressionSummary(): string {
  const names = ENCODINGS.map(([name]) => name).join(', ');
  const zstd = zstdCompress ? '' : ` (zstd answers are unavailable on Node ${process.versions.node}: its zlib has no zstd)`;
  return `answers of ${THRESHOLD} bytes or more are compressed as Accept-Encoding asks: ${names}${zstd}`;
}

/**
 * An `onSend` hook of the pipeline routes when compression is on (it is off by default, as mosec's):
 * an answer of 1 KiB or more is compressed when the client's `Accept-Encoding` allows it (in zlib's
 * thread pool, off the event loop). It runs after the application's interceptors, which see the
 * answer as the stage wrote it.
 */
export function compressAnswer(request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (error: Error | null, payload?: unknown) => void): void {
  const accepted = request.headers['accept-encoding'];
  if (!accepted || reply.getHeader('content-encoding') || !isLargeEnough(payload)) return done(null, payload);
  const chosen = chooseEncoding(accepted);
  if (!chosen) return done(null, payload);
  const [name, compress] = chosen;
  compress(typeof payload === 'string' ? Buffer.from(payload) : (payload as Buffer), (error, compressed) => {
    if (error) return done(null, payload);
    reply.header('content-encoding', name);
    reply.header('vary', 'accept-encoding');
    reply.removeHeader('content-length');
    done(null, compressed);
  });
}

function isLargeEnough(payload: unknown): boolean {
  if (Buffer.isBuffer(payload)) return payload.length >= THRESHOLD;
  return typeof payload === 'string' && Buffer.byteLength(payload) >= THRESHOLD;
}

/** The first of our encodings the client accepts (`q=0` refuses one; `*` accepts any). */
export function chooseEncoding(header: string | string[]): [string, Compress] | undefined {
  const accepted = new Map<string, number>();
  for (const part of String(header).toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find(Boolean);
    accepted.set(name.trim(), q ? Number(q[1]) : 1);
  }
  return ENCODINGS.find(([name]) => (accepted.get(name) ?? (accepted.get('*') ?? 0)) > 0);
}
