export interface LengthGroupOptions {
  /** Largest tensor one run may take: the group's longest sequence × its size. */
  maxPaddedTokens: number;
  /**
   * What one more run of the model costs beyond its tokens, counted in tokens: the higher, the fewer
   * and larger the groups (more padding); 0 splits wherever a length changes. Default 64.
   */
  runCost?: number;
}

/**
 * Splits a batch of sequences into groups that run through the model one after another, so that
 * padding (each sequence padded to its group's longest) stays small: sorted by length, then cut where
 * the padded tokens plus `runCost` per run are least (an exact search over the sorted order), each group
 * within `maxPaddedTokens`. Returns the items' indices per group, shortest first; a sequence longer
 * than the budget runs alone.
 */
export function groupByLength(lengths: readonly number[], options: LengthGroupOptions): number[][] {
  const { maxPaddedTokens, runCost = 64 } = options;
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a] - lengths[b]);
  const sorted = order.map((i) => lengths[i]);
  const n = sorted.length;
  // best[j]: least cost of the first j sorted items; start[j]: where the last group of that best begins.
  const best = new Float64Array(n + 1).fill(Infinity);
  const start = new Int32Array(n + 1);
  best[0] = 0;
  for (let j = 1; j <= n; j++) {
    const longest = sorted[j - 1];
    for (let i = j - 1; i >= 0; i--) {
      const padded = (j - i) * longest;
      if (padded > maxPaddedTokens && i < j - 1) break;
      const cost = best[i] + runCost + padded;
      if (cost < best[j]) {
        best[j] = cost;
        start[j] = i;
      }
    }
  }
  const groups: number[][] = [];
  for (let j = n; j > 0; j = start[j]) groups.unshift(order.slice(start[j], j));
  return groups;
}

/** Tokens a set of groups feeds the model, padding included: what `groupByLength` keeps small. */
export function paddedTokens(lengths: readonly number[], groups: readonly number[][]): number {
  return groups.reduce((sum, group) => sum + group.length * Math.max(...group.map((i) => lengths[i])), 0);
}
