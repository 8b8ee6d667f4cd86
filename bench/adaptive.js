#!/usr/bin/env node
// `npm run bench:adaptive`: the MLP service with fixed batch waits (0, 10 and 50 ms) and with
// maxWaitTime 'auto' (the default), at each load of BENCH_ADAPTIVE_LOADS (1, 16, 64 and 256
// connections), loads in that order after a warm-up at 64. At each load 'auto' is compared with the
// fixed 10 ms (mosec's default) and with the best fixed wait of the same run: p50 and p99 latency,
// and requests per second.
const { join } = require('node:path');
const config = require('./lib/config');
const { startServer, runBenchmark } = require('./lib/server-process');
const { runWrk } = require('./lib/wrk');
const { median } = require('./lib/stats');
const { prepareModel } = require('./lib/model');
const { plainTable } = require('./lib/table');
const { writeFileSync } = require('node:fs');

const WAITS = ['0', '10', '50', 'auto'];
const LOADS = (process.env.BENCH_ADAPTIVE_LOADS ?? '1,16,64,256').split(',').map(Number);
const MLP_BODY = JSON.stringify({ features: Array.from({ length: 16 }, (_, i) => (i + 1) / 10) });
const log = (message) => process.stderr.write(`${message}\n`);

async function measure(wait, modelPath) {
  const server = await startServer({
    name: `MLP wait ${wait}`,
    command: process.execPath,
    args: [join(config.DIST, 'examples', 'mlp', 'main.js')],
    env: { MLP_MODEL_PATH: modelPath, MOSEC_ONNX_THREADS: String(config.onnxThreads), MLP_MAX_WAIT: wait },
    probe: { path: '/inference', body: MLP_BODY },
  });
  try {
    const drive = (connections, seconds) =>
      runWrk({ url: `${server.url}/inference`, script: 'mlp', connections, seconds, threads: config.wrkThreads });
    await drive(64, config.warmup);
    const byLoad = {};
    for (const connections of LOADS) byLoad[connections] = await drive(connections, config.duration);
    log(`  wait ${wait.padEnd(4)} ` + LOADS.map((c) => `c=${c} p50 ${byLoad[c].p50.toFixed(1)} p99 ${byLoad[c].p99.toFixed(1)} ${Math.round(byLoad[c].rps)}/s`).join(', '));
    return byLoad;
  } finally {
    await server.stop();
  }
}

async function main() {
  const model = prepareModel();
  const results = Object.fromEntries(WAITS.map((wait) => [wait, []]));
  for (let round = 0; round < config.rounds; round++) {
    log(`round ${round + 1}/${config.rounds}`);
    for (const wait of WAITS) results[wait].push(await measure(wait, model.path));
  }
  const at = (wait, load, field) => median(results[wait].map((round) => round[load][field]));
  const ratio = (field, load, baseline) => median(results.auto.map((round, i) => round[load][field] / results[baseline][i][load][field]));
  const fixed = WAITS.filter((wait) => wait !== 'auto');
  const rows = WAITS.map((wait) => [
    wait === 'auto' ? 'auto (default)' : `${wait} ms`,
    ...LOADS.map((load) => `${at(wait, load, 'p50').toFixed(1)} / ${at(wait, load, 'p99').toFixed(1)}; ${Math.round(at(wait, load, 'rps'))}`),
  ]);
  const versus = (baseline, name) => [
    `auto / ${name}`,
    ...LOADS.map((load) => `${ratio('p50', load, baseline).toFixed(2)} / ${ratio('p99', load, baseline).toFixed(2)}; ${ratio('rps', load, baseline).toFixed(2)}`),
  ];
  const bestByLoad = LOADS.map((load) => fixed.reduce((a, b) => (at(b, load, 'rps') > at(a, load, 'rps') ? b : a)));
  const best = ['auto / best fixed (req/s)', ...LOADS.map((load, i) => `${(at('auto', load, 'rps') / at(bestByLoad[i], load, 'rps')).toFixed(2)} (${bestByLoad[i]} ms)`)];
  const lines = [
    `maxWaitTime on the MLP ${model.sizes.join('->')}, medians of ${config.rounds} round(s) x ${config.duration} s per load, loads in this order after a ${config.warmup} s warm-up at 64.`,
    'Each cell: p50 / p99 ms; req/s. The ratio rows are medians of per-round ratios (latency: lower is better; req/s: higher is better).',
    '',
    plainTable(['maxWaitTime', ...LOADS.map((load) => `c=${load}`)], [...rows, versus('10', '10 ms (mosec)'), best]),
    '',
    `auto at c=1: p99 / p50 = ${median(results.auto.map((round) => round[1]?.p99 / round[1]?.p50)).toFixed(2)} (target <= 1.6)`,
  ];
  writeFileSync(join(config.resultsDir, 'adaptive.md'), lines.join('\n') + '\n');
  writeFileSync(join(config.resultsDir, 'adaptive.json'), JSON.stringify({ loads: LOADS, waits: WAITS, rounds: results }, null, 2) + '\n');
  console.log(lines.join('\n'));
}

runBenchmark(main);
