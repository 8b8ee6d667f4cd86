import { MAX_NESTING, nestsDeeperThan, withinNesting } from './nesting';

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

describe('request nesting limit', () => {
  it('counts levels of arrays and objects, not their width', () => {
    expect(nestsDeeperThan(nested(3), 3)).toBe(false);
    expect(nestsDeeperThan(nested(4), 3)).toBe(true);
    expect(nestsDeeperThan(new Array(100_000).fill([1]), 2)).toBe(false);
    expect(nestsDeeperThan([{ a: [] }, [[[[]]]]], 4)).toBe(true);
    expect(nestsDeeperThan('text', 0)).toBe(false);
  });

  it('treats typed arrays and Buffers as leaves', () => {
    expect(nestsDeeperThan({ a: Buffer.from('xyz'), b: new Float32Array(4) }, 1)).toBe(false);
  });

  it('walks 100,000 levels without recursion', () => {
    expect(nestsDeeperThan(nested(100_000), MAX_NESTING)).toBe(true);
  });

  it('passes bodies at the limit and refuses deeper ones', () => {
    const atLimit = JSON.stringify(nested(MAX_NESTING));
    expect(withinNesting(JSON.parse(atLimit), atLimit.length)).toEqual(JSON.parse(atLimit));
    const deeper = JSON.stringify(nested(MAX_NESTING + 1));
    expect(() => withinNesting(JSON.parse(deeper), deeper.length)).toThrow(`nested deeper than ${MAX_NESTING} levels`);
  });
});
