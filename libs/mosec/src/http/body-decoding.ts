import type { Transform } from 'node:stream';
import * as zlib from 'node:zlib';

/** A decompressor and what it may hold besides its output, read from the first bytes of the body. */
export interface BodyDecoding {
  decoder: Transform;
  /** Bytes the decoder may keep (its window), given the body's first chunk. */
  windowOf(first: Buffer): number;
}

/** An inflate stream's window (32 KiB) and state. */
const DEFLATE_WINDOW = 64 * 1024;
/** zstd's window for HTTP content coding (RFC 9659): decoders need not take more. */
const ZSTD_WINDOW_LOG = 23;

type Zstd = { createZstdDecompress(options: object): Transform; constants: Record<string, number> };
const zstd = 'createZstdDecompress' in zlib ? (zlib as unknown as Zstd) : undefined;

/** The request `Content-Encoding`s the service undoes (zstd where this Node's zlib has it). */
const DECODINGS: Record<string, () => BodyDecoding> = {
  gzip: () => ({ decoder: zlib.createGunzip(), windowOf: () => DEFLATE_WINDOW }),
  'x-gzip': () => ({ decoder: zlib.createGunzip(), windowOf: () => DEFLATE_WINDOW }),
  deflate: () => ({ decoder: zlib.createInflate(), windowOf: () => DEFLATE_WINDOW }),
  br: () => ({ decoder: zlib.createBrotliDecompress(), windowOf: brotliWindow }),
  ...(zstd
    ? {
        zstd: () => ({
          decoder: zstd.createZstdDecompress({ params: { [zstd.constants.ZSTD_d_windowLogMax]: ZSTD_WINDOW_LOG } }),
          windowOf: () => 2 ** ZSTD_WINDOW_LOG,
        }),
      }
    : {}),
};

/** The decoding of a `Content-Encoding`, or undefined for one the service cannot undo. */
export function bodyDecoding(encoding: string): BodyDecoding | undefined {
  return DECODINGS[encoding]?.();
}

/**
 * The window a brotli stream declares in its first bits (RFC 7932, 9.1): its decoder fills a ring
 * buffer of up to that size before it gives out a byte, so a bomb costs 16 MiB each before any of
 * its output can be counted. Node's encoder declares 4 MiB.
 */
export function brotliWindow(first: Buffer): number {
  const byte = first[0] ?? 0;
  if ((byte & 1) === 0) return 2 ** 16;
  const n = (byte >> 1) & 7;
  if (n !== 0) return 2 ** (17 + n);
  const m = (byte >> 4) & 7;
  // m = 1 is the large-window format, which Node's decoder refuses: the largest ordinary window then.
  return m === 0 ? 2 ** 17 : m === 1 ? 2 ** 24 : 2 ** (8 + m);
}
