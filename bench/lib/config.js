// The benchmark's knobs, all from the environment so a quick run needs no edit.
const { availableParallelism } = require('node:os');
const { join } = require('node:path');
const { venvPython } = require('./peers');

const ROOT = join(__dirname, '..', '..');

function number(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, not "${raw}"`);
  return value;
}

/** wrk takes whole seconds. */
function seconds(name, fallback) {
  return Math.max(1, Math.round(number(name, fallback)));
}

function list(name, fallback) {
  const raw = process.env[name];
  if (!raw) return fallback;
  return raw.split(',').map((part) => {
    const value = Number(part.trim());
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must list positive integers, not "${raw}"`);
    return value;
  });
}

const concurrencies = list('BENCH_CONCURRENCY', [1, 4, 16, 64, 256]);
for (const needed of [1, 64]) if (!concurrencies.includes(needed)) concurrencies.push(needed);
concurrencies.sort((a, b) => a - b);

module.exports = {
  ROOT,
  /** Compiled examples and library (the same variable the end-to-end tests read). */
  DIST: join(ROOT, process.env.MOSEC_DIST ?? 'dist'),
  /** Rounds per measurement; the table shows the median over rounds. */
  rounds: Math.round(number('BENCH_ROUNDS', 3)),
  /** Seconds of load per measurement. */
  duration: seconds('BENCH_DURATION', 5),
  /** Seconds of load before measuring, once per server start. */
  warmup: seconds('BENCH_WARMUP', 2),
  /** wrk threads (never more than connections). */
  wrkThreads: number('BENCH_WRK_THREADS', 1),
  /** Concurrency levels of the echo sweep (the chart); 1 and 64 are always measured. */
  concurrencies,
  /** Concurrency for the MLP at saturation (P3). */
  saturation: number('BENCH_SATURATION', 256),
  /** onnxruntime intra-op threads, the same for the service's worker, the offline loop and the naive server. */
  onnxThreads: number('BENCH_ONNX_THREADS', availableParallelism()),
  /**
   * Width of the MLP's two hidden layers (16 -> N -> N -> 10). 8192 (67M parameters) makes a forward
   * cost far more than the HTTP and IPC work per item, so P3 measures the service against the model
   * rather than against HTTP, and batching matters (batch 64 runs about 9x the items/s of batch 1).
   */
  mlpHidden: Math.round(number('BENCH_MLP_HIDDEN', 8192)),
  /** Batch of the offline loop: the MLP stage's maxBatchSize. */
  offlineBatch: number('BENCH_OFFLINE_BATCH', 64),
  /** maxWaitTime of our echo's batching stage: 'auto' (adaptive) unless told a number of ms. */
  echoWait: process.env.BENCH_ECHO_WAIT ?? 'auto',
  /** The Python that has mosec: BENCH_PYTHON, else the venv bench/setup.sh made, else python3. */
  python: process.env.BENCH_PYTHON ?? venvPython('mosec') ?? 'python3',
  resultsDir: join(ROOT, 'bench', 'results'),
};
