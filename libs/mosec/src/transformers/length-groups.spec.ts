import { groupByLength, paddedTokens } from './length-groups';

describe('groupByLength', () => {
  const mixed = [12, 250, 9, 14, 240, 11, 10, 256, 13, 31, 30, 29];

  it('puts every item in exactly one group, shortest groups first, lengths sorted', () => {
    const groups = groupByLength(mixed, { maxPaddedTokens: 4096 });
    expect(groups.flat().sort((a, b) => a - b)).toEqual(mixed.map((_, i) => i));
    const lengths = groups.flat().map((i) => mixed[i]);
    expect(lengths).toEqual([...lengths].sort((a, b) => a - b));
  });

  it('pads far less than one run padded to the longest', () => {
    const groups = groupByLength(mixed, { maxPaddedTokens: 4096 });
    const real = mixed.reduce((sum, n) => sum + n, 0);
    const one = mixed.length * Math.max(...mixed);
    expect(paddedTokens(mixed, [mixed.map((_, i) => i)])).toBe(one);
    expect(paddedTokens(mixed, groups)).toBeLessThan(real * 1.1);
    expect(one).toBeGreaterThan(real * 3);
  });

  it('keeps each run within the padded-token budget; a sequence longer than the budget runs alone', () => {
    const lengths = [100, 100, 100, 100, 300, 90];
    const groups = groupByLength(lengths, { maxPaddedTokens: 250, runCost: 1_000 });
    for (const group of groups) {
      const longest = Math.max(...group.map((i) => lengths[i]));
      expect(group.length === 1 || group.length * longest <= 250).toBe(true);
    }
    expect(groups).toContainEqual([4]);
  });

  it('trades runs for padding by runCost: 0 splits at every length, a high cost makes one run', () => {
    const lengths = [10, 11, 12, 13];
    expect(groupByLength(lengths, { maxPaddedTokens: 4096, runCost: 0 })).toHaveLength(4);
    expect(groupByLength(lengths, { maxPaddedTokens: 4096, runCost: 1_000 })).toEqual([[0, 1, 2, 3]]);
    expect(groupByLength([], { maxPaddedTokens: 4096 })).toEqual([]);
  });
});
