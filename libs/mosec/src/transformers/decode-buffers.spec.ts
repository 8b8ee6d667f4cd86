import { DecodeBuffers } from './decode-buffers';

describe('decode buffers', () => {
  it('alternates between two sets, so the cache a step reads is never the one it writes', () => {
    const buffers = new DecodeBuffers(2);
    const first = buffers.next(6);
    first.forEach((view, i) => view.fill(i + 1));
    const second = buffers.next(8);
    second.forEach((view) => view.fill(9));
    expect(first.map((view) => Array.from(view))).toEqual([new Array(6).fill(1), new Array(6).fill(2)]);
    expect(second.every((view) => view.length === 8)).toBe(true);
    // The third step writes where the first did.
    expect(buffers.next(6)[0].buffer).toBe(first[0].buffer);
  });

  it('grows a buffer by doubling, so a step that adds a column rarely allocates', () => {
    const buffers = new DecodeBuffers(1);
    const sizes = [100, 100, 101, 101, 150, 150, 201, 201, 400, 400];
    const arrays = sizes.map((size) => buffers.next(size)[0]);
    arrays.forEach((view, i) => expect(view.length).toBe(sizes[i]));
    const allocated = new Set(arrays.map((view) => view.buffer)).size;
    expect(allocated).toBe(6);
    expect(buffers.held).toBe(2 * 400);
  });

  it('gives memory back when the batch gets much smaller', () => {
    const buffers = new DecodeBuffers(3);
    buffers.next(1000);
    buffers.next(1001);
    expect(buffers.held).toBe(3 * (1000 + 1001));
    buffers.next(100);
    buffers.next(101);
    expect(buffers.held).toBe(3 * (200 + 202));
  });
});
