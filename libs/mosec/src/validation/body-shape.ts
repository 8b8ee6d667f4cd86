import { RequestCodec } from '../protocol/item-flags';
import { countMsgpackShape } from './msgpack-shape';
import { BodyShapeLimits, ShapeCount } from './shape-count';

/**
 * Throws `BodyShapeError` when a JSON or msgpack body passes a limit. One pass over the bytes, without
 * building anything, and it stops at the first limit passed: a refused body costs milliseconds. It
 * does not check the syntax (the parser that follows does): a malformed body is only counted.
 */
export function checkBodyShape(codec: number, body: Buffer, limits: BodyShapeLimits): void {
  const count = new ShapeCount(limits);
  if (codec === RequestCodec.MSGPACK) countMsgpackShape(body, count);
  else if (codec === RequestCodec.JSON) countJsonShape(body, count);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/**
 * Counts a JSON text: a key at each `:` in an object, an array's first element at its first value and
 * one more at each `,`. Strings are skipped whole (their brackets, colons and commas are text).
 */
function countJsonShape(body: Buffer, count: ShapeCount): void {
  const isObject: boolean[] = [];
  const counts: number[] = [];
  let depth = 0;
  // The innermost array has had no value yet.
  let emptyArray = false;
  for (let at = 0; at < body.length; at++) {
    const byte = body[at];
    if (isSpace(byte)) continue;
    if (emptyArray) {
      emptyArray = false;
      if (byte !== CLOSE_ARRAY) count.elements((counts[depth] = 1));
    }
    if (byte === QUOTE) {
      at = endOfString(body, at);
    } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      depth++;
      count.opened(depth);
      isObject[depth] = byte === OPEN_OBJECT;
      counts[depth] = 0;
      emptyArray = byte === OPEN_ARRAY;
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
      if (depth > 0) depth--;
    } else if (byte === COLON && isObject[depth]) {
      count.keys(++counts[depth]);
    } else if (byte === COMMA && depth > 0 && !isObject[depth]) {
      count.elements(++counts[depth]);
    }
  }
}

/** The index of the quote that closes the string opening at `start` (the last byte when none does). */
function endOfString(body: Buffer, start: number): number {
  let at = start;
  for (;;) {
    at = body.indexOf(QUOTE, at + 1);
    if (at < 0) return body.length - 1;
    let backslashes = 0;
    while (body[at - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
}
