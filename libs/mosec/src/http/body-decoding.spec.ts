import * as zlib from 'node:zlib';
import { bodyDecoding, brotliWindow } from './body-decoding';

describe('brotliWindow', () => {
  it('reads the window a brotli stream declares, for every window Node encodes', () => {
    for (const bits of [10, 11, 15, 16, 17, 18, 22, 24]) {
      const stream = zlib.brotliCompressSync(Buffer.alloc(1000, 'a'), { params: { [zlib.constants.BROTLI_PARAM_LGWIN]: bits } });
      expect(brotliWindow(stream)).toBe(2 ** bits);
    }
  });

  it('counts a gzip or deflate decoder at 64 KiB and knows no window for an unknown encoding', () => {
    expect(bodyDecoding('gzip')!.windowOf(Buffer.alloc(0))).toBe(64 * 1024);
    expect(bodyDecoding('deflate')!.windowOf(Buffer.alloc(0))).toBe(64 * 1024);
    expect(bodyDecoding('compress')).toBeUndefined();
  });
});
