import fc from 'fast-check';
import { decodeControl, decodeItems, encodeControl, encodeItems, FrameKind, FrameReader } from './frame';

function readAll(stream: Buffer, cuts: number[]): Array<{ kind: number; body: Buffer }> {
  const frames: Array<{ kind: number; body: Buffer }> = [];
  const reader = new FrameReader((kind, body) => frames.push({ kind, body: Buffer.from(body) }));
  let at = 0;
  for (const cut of [...new Set(cuts)].sort((a, b) => a - b)) {
    reader.push(stream.subarray(at, cut));
    at = cut;
  }
  reader.push(stream.subarray(at));
  return frames;
}

describe('frame codec', () => {
  it('round-trips a batch with flags and a result with statuses', () => {
    const bodies = [Buffer.from('a'), Buffer.alloc(0), Buffer.from([0, 255, 7])];
    const batch = encodeItems(FrameKind.BATCH, 42, [1, 2, 255], bodies, [undefined, undefined, Buffer.from('meta')]);
    const [frame] = readAll(batch, []);
    expect(frame.kind).toBe(FrameKind.BATCH);
    expect(decodeItems(FrameKind.BATCH, frame.body)).toEqual({ batchId: 42, tags: [1, 2, 255], bodies, metas: [undefined, undefined, Buffer.from('meta')] });
    // Without the META flag an item carries no metadata, whatever is passed.
    const plain = readAll(encodeItems(FrameKind.BATCH, 7, [1, 2, 3], bodies, [Buffer.from('x')]), [])[0];
    expect(decodeItems(FrameKind.BATCH, plain.body)).toEqual({ batchId: 7, tags: [1, 2, 3], bodies });

    const result = encodeItems(FrameKind.RESULT, 0xffffffff, [200, 422, 500], bodies);
    const [back] = readAll(result, []);
    expect(decodeItems(FrameKind.RESULT, back.body)).toEqual({ batchId: 0xffffffff, tags: [200, 422, 500], bodies });
  });

  it('round-trips control messages', () => {
    const [frame] = readAll(encodeControl(FrameKind.READY, { warmUpMs: 3, examples: 1 }), []);
    expect(frame.kind).toBe(FrameKind.READY);
    expect(decodeControl(frame.body)).toEqual({ warmUpMs: 3, examples: 1 });
  });

  it('decodes any sequence of frames split at any byte boundaries to the same messages', () => {
    const item = fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes));
    const frame = fc.record({
      kind: fc.constantFrom(FrameKind.BATCH, FrameKind.RESULT),
      batchId: fc.nat({ max: 0xffffffff }),
      items: fc.array(fc.record({ tag: fc.nat({ max: 255 }), body: item }), { maxLength: 8 }),
    });
    fc.assert(
      fc.property(fc.array(frame, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 20 }), (frames, rawCuts) => {
        const encoded = frames.map((f) => encodeItems(f.kind, f.batchId, f.items.map((i) => i.tag), f.items.map((i) => i.body)));
        const stream = Buffer.concat(encoded);
        const cuts = rawCuts.map((c) => c % (stream.length + 1));
        const decoded = readAll(stream, cuts);
        expect(decoded.map((d) => d.kind)).toEqual(frames.map((f) => f.kind));
        decoded.forEach((d, i) => {
          const { batchId, tags, bodies } = decodeItems(d.kind, d.body);
          expect(batchId).toBe(frames[i].batchId);
          expect(tags).toEqual(frames[i].items.map((it) => it.tag));
          expect(bodies).toEqual(frames[i].items.map((it) => it.body));
        });
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a frame whose length is corrupt instead of buffering it', () => {
    const reader = new FrameReader(() => undefined);
    const bad = Buffer.alloc(8);
    bad.writeUInt32LE(0xffffffff, 0);
    expect(() => reader.push(bad)).toThrow(/bad frame length/);
  });

  it('refuses an item that runs past its frame', () => {
    const frame = encodeItems(FrameKind.BATCH, 1, [0], [Buffer.from('hello')]);
    const body = frame.subarray(5, frame.length - 2);
    expect(() => decodeItems(FrameKind.BATCH, body)).toThrow(RangeError);
  });
});
