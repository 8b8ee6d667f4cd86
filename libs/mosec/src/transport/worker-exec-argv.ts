/**
 * V8 settings that keep a worker process small, measured with bench/worker-footprint.js:
 * - `--max-semi-space-size=2` (MiB): Node lets the young generation grow to 16 MiB per semi-space, and
 *   a worker's start (Nest and the stage's modules) grows it that far and keeps it; a stage's batches
 *   are short-lived and small, and 2 MiB scavenges them as fast.
 * - `--heap-growing-percent=50`: the old generation is collected once it grows by half of what
 *   survived the last full collection. Under load a small young generation promotes the items in
 *   flight, and V8's own factor (up to 4x on a small heap) let that garbage pile up: echo workers
 *   held 44-60 MiB PSS right after a c=64 load instead of ~31 idle; with it 40-43, the same req/s.
 * - `--v8-pool-size=1`: one V8 platform thread instead of one per core; each keeps its own malloc
 *   arena of compiler and GC scratch. A worker runs one batch at a time on its main thread.
 * Together ~15 MiB less RSS per worker idle, ~10 MiB less PSS each after load, the same echo throughput.
 */
export const WORKER_V8_FLAGS = ['--max-semi-space-size=2', '--heap-growing-percent=50', '--v8-pool-size=1'];

/**
 * The worker's `execArgv`: our flags, then the HTTP process's own (`execArgv`). A flag the user gave
 * there or in `NODE_OPTIONS` wins: ours is left out (the command line would beat `NODE_OPTIONS`).
 */
export function workerExecArgv(execArgv: string[], nodeOptions = ''): string[] {
  const given = new Set([...execArgv, ...nodeOptions.split(/\s+/)].map(flagName));
  return [...WORKER_V8_FLAGS.filter((flag) => !given.has(flagName(flag))), ...execArgv];
}

/** `--max_semi_space_size=4` and `--max-semi-space-size 4` are both `--max-semi-space-size`. */
function flagName(option: string): string {
  return option.split('=')[0].replace(/_/g, '-');
}
