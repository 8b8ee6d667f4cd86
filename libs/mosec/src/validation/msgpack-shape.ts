import type { ShapeCount } from './shape-count';

/** Bytes of the 0xc0–0xdf types whose size is fixed (0: sized by a length, a container, or never used). */
const FIXED_SIZE = [
  1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 5, 9, 2, 3, 5, 9, // nil, (unused), false, true, bin, ext, float32/64, uint8–64
  2, 3, 5, 9, 3, 4, 6, 10, 18, 0, 0, 0, 0, 0, 0, 0, // int8–64, fixext1–16, str, array16/32, map16/32
];
/** For bin8/16/32, ext8/16/32 and str8/16/32: the width of the length, and the bytes before the data. */
const SIZED: Record<number, [width: number, header: number]> = {
  0xc4: [1, 2], 0xc5: [2, 3], 0xc6: [4, 5],
  0xc7: [1, 3], 0xc8: [2, 4], 0xc9: [4, 6],
  0xd9: [1, 2], 0xda: [2, 3], 0xdb: [4, 5],
};

/**
 * Counts the first msgpack value of `body`: a map's or an array's size is in its header, so a map
 * of a million keys is refused at its first bytes. Stops at a truncated or unknown type, which the
 * decoder then refuses.
 */
export function countMsgpackShape(body: Buffer, count: ShapeCount): void {
  // Items still to come in each open map (keys and values) or array.
  const open: number[] = [];
  let at = 0;
  while (at < body.length) {
    const byte = body[at];
    let size = 0;
    let isMap = false;
    let container = true;
    if (byte >= 0x80 && byte <= 0x8f) [size, isMap, at] = [byte & 0x0f, true, at + 1];
    else if (byte >= 0x90 && byte <= 0x9f) [size, at] = [byte & 0x0f, at + 1];
    else if (byte === 0xdc || byte === 0xdd || byte === 0xde || byte === 0xdf) {
      const width = byte & 1 ? 4 : 2;
      if (at + 1 + width > body.length) return;
      size = width === 2 ? body.readUInt16BE(at + 1) : body.readUInt32BE(at + 1);
      isMap = byte >= 0xde;
      at += 1 + width;
    } else {
      container = false;
      const next = scalarEnd(body, at);
      if (next === undefined) return;
      at = next;
    }
    if (container) {
      // Each item takes a byte at least: a header that announces more than are left is a cut body, for the decoder to refuse (400).
      if ((isMap ? 2 * size : size) > body.length - at) return;
      count.opened(open.length + 1);
      if (isMap) count.keys(size, size);
      else count.elements(size, size);
      if (size > 0) {
        open.push(isMap ? 2 * size : size);
        continue;
      }
    }
    // A value is complete: so is every container it was the last item of.
    while (open.length > 0 && --open[open.length - 1] === 0) open.pop();
    if (open.length === 0) return;
  }
}

/** Where the scalar at `at` ends; undefined for a type msgpack does not use or a length past the end. */
function scalarEnd(body: Buffer, at: number): number | undefined {
  const byte = body[at];
  if (byte < 0x80 || byte >= 0xe0) return at + 1;
  if (byte >= 0xa0 && byte <= 0xbf) return at + 1 + (byte & 0x1f);
  const sized = SIZED[byte];
  if (!sized) return FIXED_SIZE[byte - 0xc0] ? at + FIXED_SIZE[byte - 0xc0] : undefined;
  const [width, header] = sized;
  if (at + header > body.length) return undefined;
  const length = width === 1 ? body[at + 1] : width === 2 ? body.readUInt16BE(at + 1) : body.readUInt32BE(at + 1);
  return at + header + length;
}
