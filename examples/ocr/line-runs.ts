/**
 * Cuts lines, sorted narrowest first, into model runs of at most `maxLines` lines whose padded
 * size (lines x widest line) stays within `maxColumns`; a line wider than that runs alone.
 * On one CPU thread a run costs the same per line up to about 1,600 columns of a 48-pixel-high
 * input, then more (the activations outgrow the cache), so bigger runs are no faster.
 */
export function cutRuns<T>(sorted: T[], widthOf: (line: T) => number, maxLines: number, maxColumns: number): T[][] {
  const runs: T[][] = [];
  let run: T[] = [];
  for (const line of sorted) {
    if (run.length > 0 && (run.length >= maxLines || (run.length + 1) * widthOf(line) > maxColumns)) {
      runs.push(run);
      run = [];
    }
    run.push(line);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}
