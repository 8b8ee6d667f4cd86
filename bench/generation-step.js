#!/usr/bin/env node
// Where a batched decode step's time goes, Node against Python on the same graph: one step of
// BENCH_STEP_BATCH (8) rows whose caches hold BENCH_STEP_COLUMNS (100) columns, in onnxruntime-node
// and in the Python onnxruntime of bench/.venvs/mosec-generation, the same threads and options
// (2 intra-op, spinning as onnxruntime defaults, sequential, all optimisations), rounds alternating
// which goes first. Per runtime: the step with every `present.*` output fetched (onnxruntime-node
// copies each into a new JS buffer), with them given as preallocated fetches (Node only: the binding
// still copies them back out), with `logits` and the new tokens' keys and values alone
// (`new_key_values.*`, what CausalLm fetches from the converted graph), and with `logits` alone (no
// cache out at all: the floor).
//
// The table goes to results/generation-step.md.
//
//   node bench/generation-step.js     BENCH_ROUNDS (3), BENCH_STEP_RUNS (10), BENCH_STEP_BATCH, BENCH_STEP_COLUMNS, BENCH_WRITE
const { execFileSync } = require('node:child_process');
const { mkdirSync, writeFileSync } = require('node:fs');
const { loadavg } = require('node:os');
const { join } = require('node:path');
const config = require('./lib/config');
const { venvPython } = require('./lib/peers');
const { median } = require('./lib/stats');
const { plainTable } = require('./lib/table');
const { loadCausalModel } = require('./lib/greedy');
const { smollm2Dir } = require('../scripts/fetch-smollm2');

const BATCH = Number(process.env.BENCH_STEP_BATCH ?? 8);
const COLUMNS = Number(process.env.BENCH_STEP_COLUMNS ?? 100);
const RUNS = Number(process.env.BENCH_STEP_RUNS ?? 10);

async function nodeStep(model) {
  const { ort, session, config: lm } = model;
  const kvHeads = lm.num_key_value_heads;
  const headDim = lm.head_dim ?? lm.hidden_size / lm.num_attention_heads;
  const feeds = {
    input_ids: new ort.Tensor('int64', new BigInt64Array(BATCH).fill(100n), [BATCH, 1]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(BATCH * (COLUMNS + 1)).fill(1n), [BATCH, COLUMNS + 1]),
    position_ids: new ort.Tensor('int64', new BigInt64Array(BATCH).fill(BigInt(COLUMNS)), [BATCH, 1]),
  };
  const given = { logits: null };
  for (let layer = 0; layer < lm.num_hidden_layers; layer++) {
    for (const part of ['key', 'value']) {
      const past = Float32Array.from({ length: BATCH * kvHeads * COLUMNS * headDim }, (_, i) => Math.sin(i + layer));
      feeds[`past_key_values.${layer}.${part}`] = new ort.Tensor('float32', past, [BATCH, kvHeads, COLUMNS, headDim]);
      given[`present.${layer}.${part}`] = new ort.Tensor('float32', new Float32Array(BATCH * kvHeads * (COLUMNS + 1) * headDim), [BATCH, kvHeads, COLUMNS + 1, headDim]);
    }
  }
  const newColumns = ['logits', ...session.outputNames.filter((name) => name.startsWith('new_key_values.'))];
  const modes = { 'all outputs': undefined, 'cache into given fetches': given, 'new columns only': newColumns, 'logits only': ['logits'] };
  return interleaved(modes, (fetches) => session.run(feeds, fetches));
}

/** The median time of each mode's steps, the modes taking turns run by run (so load shifts reach all alike). */
async function interleaved(modes, step) {
  const names = Object.keys(modes);
  for (const name of names) await step(modes[name]);
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  for (let run = 0; run < RUNS; run++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(run + i) % names.length];
      const began = performance.now();
      await step(modes[name]);
      samples[name].push(performance.now() - began);
    }
  }
  return Object.fromEntries(names.map((name) => [name, median(samples[name])]));
}

function pythonStep() {
  const python = venvPython('mosec-generation');
  if (!python) throw new Error('no venv: run bash bench/install-venv.sh mosec-generation');
  const script = join(__dirname, 'peers', 'mosec-generation', 'step_time.py');
  const env = { ...process.env, MOSEC_ONNX_THREADS: String(config.onnxThreads), MOSEC_GENERATION_MODEL: smollm2Dir() };
  return JSON.parse(execFileSync(python, [script, BATCH, COLUMNS, RUNS].map(String), { env }).toString());
}

async function main() {
  const model = await loadCausalModel(smollm2Dir(), { threads: config.onnxThreads });
  const rounds = { node: [], python: [] };
  const before = loadavg()[0];
  for (let round = 0; round < config.rounds; round++) {
    const order = round % 2 ? ['python', 'node'] : ['node', 'python'];
    for (const side of order) rounds[side].push(side === 'node' ? await nodeStep(model) : pythonStep());
    process.stderr.write(`round ${round + 1}: node ${JSON.stringify(rounds.node[round])}, python ${JSON.stringify(rounds.python[round])}\n`);
  }
  const modes = ['all outputs', 'cache into given fetches', 'new columns only', 'logits only'];
  const cell = (side, mode) => (rounds[side][0][mode] === undefined ? '' : median(rounds[side].map((r) => r[mode])).toFixed(1));
  const text =
    `One decode step, ${BATCH} rows x ${COLUMNS} cached columns, ${config.onnxThreads} threads, median ms of ${RUNS} steps, ` +
    `median of ${config.rounds} alternating rounds; Node ${process.version}; load average ${before.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after.\n\n` +
    plainTable(['outputs fetched', 'onnxruntime-node', 'Python onnxruntime'], modes.map((mode) => [mode, cell('node', mode), cell('python', mode)]));
  console.log(text);
  if (process.env.BENCH_WRITE !== '0') {
    mkdirSync(config.resultsDir, { recursive: true });
    writeFileSync(join(config.resultsDir, 'generation-step.md'), `${text}\n`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
