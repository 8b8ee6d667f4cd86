import { Packr } from 'msgpackr';
import { RequestCodec } from '../protocol/item-flags';
import { checkBodyShape } from './body-shape';
import { BodyShapeError, BodyShapeLimits } from './shape-count';

const msgpack = new Packr({ useRecords: false, variableMapSize: true });
const LOOSE: BodyShapeLimits = { maxObjectKeys: 1e9, maxArrayLength: 1e9, maxBodyValues: 1e9, maxBodyDepth: 1e9 };
const encoders = {
  json: (value: unknown) => Buffer.from(JSON.stringify(value)),
  msgpack: (value: unknown) => msgpack.pack(value),
};
const codecs = { json: RequestCodec.JSON, msgpack: RequestCodec.MSGPACK };

/** The limit `body` passes first under `limits`, or undefined. */
function refusedBy(format: keyof typeof codecs, value: unknown, limits: Partial<BodyShapeLimits>): string | undefined {
  try {
    checkBodyShape(codecs[format], encoders[format](value), { ...LOOSE, ...limits });
    return undefined;
  } catch (error) {
    if (error instanceof BodyShapeError) return error.limit;
    throw error;
  }
}

/** What a walk of the parsed value counts: the largest object and array, all values, the depth. */
function measured(value: unknown, depth = 1): { keys: number; elements: number; values: number; depth: number } {
  if (typeof value !== 'object' || value === null) return { keys: 0, elements: 0, values: 0, depth: 0 };
  const children = Object.values(value);
  const inner = children.map((child) => measured(child, depth + 1));
  return {
    keys: Math.max(Array.isArray(value) ? 0 : children.length, ...inner.map((m) => m.keys)),
    elements: Math.max(Array.isArray(value) ? children.length : 0, ...inner.map((m) => m.elements)),
    values: children.length + inner.reduce((sum, m) => sum + m.values, 0),
    depth: Math.max(depth, ...inner.map((m) => m.depth)),
  };
}

function randomValue(depth: number, random: () => number): unknown {
  const pick = random();
  if (depth > 5 || pick < 0.4) {
    // Strings full of the characters the JSON count looks at.
    return [1, 'a"b\\', '{[,:]}', '\\\\', null, true, 2.5, '"', ''][Math.floor(random() * 9)];
  }
  const size = Math.floor(random() * 6);
  if (pick < 0.7) return Array.from({ length: size }, () => randomValue(depth + 1, random));
  return Object.fromEntries(Array.from({ length: size }, (_, i) => [`k${i}:"[{,`, randomValue(depth + 1, random)]));
}

describe('request body shape limits', () => {
  for (const format of ['json', 'msgpack'] as const) {
    describe(format, () => {
      it('refuses an object with more keys than maxObjectKeys, and takes one at it', () => {
        const keys = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, i]));
        expect(refusedBy(format, { inner: keys }, { maxObjectKeys: 9 })).toBe('maxObjectKeys');
        expect(refusedBy(format, { inner: keys }, { maxObjectKeys: 10 })).toBeUndefined();
      });

      it('refuses arrays longer than maxArrayLength, nesting deeper than maxBodyDepth, more values than maxBodyValues', () => {
        expect(refusedBy(format, { a: [1, 2, 3, 4] }, { maxArrayLength: 3 })).toBe('maxArrayLength');
        expect(refusedBy(format, { a: [1, 2, 3] }, { maxArrayLength: 3 })).toBeUndefined();
        // The body itself is level 1.
        expect(refusedBy(format, { a: [[{ b: [] }]] }, { maxBodyDepth: 5 })).toBeUndefined();
        expect(refusedBy(format, { a: [[{ b: [[]] }]] }, { maxBodyDepth: 5 })).toBe('maxBodyDepth');
        // 3 keys and 4 elements.
        const body = { a: [1, 2], b: { c: [3, 4] } };
        expect(refusedBy(format, body, { maxBodyValues: 6 })).toBe('maxBodyValues');
        expect(refusedBy(format, body, { maxBodyValues: 7 })).toBeUndefined();
      });

      it('counts exactly what a walk of the parsed value counts, whatever the strings hold', () => {
        let seed = 7;
        const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
        for (let round = 0; round < 300; round++) {
          const value = { root: randomValue(0, random) };
          const m = measured(value);
          expect([round, refusedBy(format, value, { maxObjectKeys: m.keys, maxArrayLength: m.elements, maxBodyValues: m.values, maxBodyDepth: m.depth })]).toEqual([round, undefined]);
          if (m.keys > 0) expect(refusedBy(format, value, { maxObjectKeys: m.keys - 1 })).toBe('maxObjectKeys');
          if (m.elements > 0) expect(refusedBy(format, value, { maxArrayLength: m.elements - 1 })).toBe('maxArrayLength');
          expect(refusedBy(format, value, { maxBodyValues: m.values - 1 })).toBe('maxBodyValues');
          expect(refusedBy(format, value, { maxBodyDepth: m.depth - 1 })).toBe('maxBodyDepth');
        }
      });
    });
  }

  it('refuses 160,000 keys at the first key past the limit, in milliseconds', () => {
    const keys = Object.fromEntries(Array.from({ length: 160_000 }, (_, i) => [`k${i}`, i]));
    for (const format of ['json', 'msgpack'] as const) {
      const body = encoders[format](keys);
      const started = performance.now();
      expect(() => checkBodyShape(codecs[format], body, { ...LOOSE, maxObjectKeys: 1000 })).toThrow('an object has more than 1000 keys (maxObjectKeys)');
      expect(performance.now() - started).toBeLessThan(200);
    }
  });

  it('leaves a truncated or malformed body to the parser', () => {
    expect(() => checkBodyShape(RequestCodec.JSON, Buffer.from('{"a": [1, 2'), LOOSE)).not.toThrow();
    expect(() => checkBodyShape(RequestCodec.JSON, Buffer.from(']]}}"'), LOOSE)).not.toThrow();
    expect(() => checkBodyShape(RequestCodec.MSGPACK, Buffer.from([0xdf, 0, 0]), LOOSE)).not.toThrow();
    expect(() => checkBodyShape(RequestCodec.MSGPACK, Buffer.from([0xc1, 0x91]), LOOSE)).not.toThrow();
  });
});
