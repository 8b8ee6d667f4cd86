import { normalize, pool } from './pooling';

describe('pool', () => {
  // Two sequences padded to 3 positions, width 2: the second has 2 real tokens and a padding row of 100s.
  const hidden = Float32Array.from([1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 100, 100]);

  it('means over the real tokens only, never the padding', () => {
    const [a, b] = pool(hidden, [2, 3, 2], [3, 2], 'mean');
    expect(Array.from(a)).toEqual([3, 4]);
    expect(Array.from(b)).toEqual([20, 30]);
  });

  it("takes the first position's vector for CLS pooling", () => {
    const [a, b] = pool(hidden, [2, 3, 2], [3, 2], 'cls');
    expect(Array.from(a)).toEqual([1, 2]);
    expect(Array.from(b)).toEqual([10, 20]);
  });

  it('refuses an output of another shape than [batch, sequence, hidden]', () => {
    expect(() => pool(hidden, [4, 3], [3, 2], 'mean')).toThrow(/\[2, sequence, hidden\]/);
  });
});

describe('normalize', () => {
  it('scales to unit length, and leaves a zero vector zero', () => {
    expect(Array.from(normalize(Float32Array.from([3, 4])))).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    expect(Array.from(normalize(new Float32Array(3)))).toEqual([0, 0, 0]);
  });
});
