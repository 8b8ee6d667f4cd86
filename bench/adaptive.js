#!/usr/bin/env node
// `npm run bench:adaptive`: the MLP service with fixed batch waits (0, 10, 50 ms) and with
// maxWaitTime 'auto', at low load (1 connection) and high load (64). At each load, 'auto' is compared
// with the best fixed wait measured in the same run: p50 latency at low load, throughput at high load.
const { join } = require('node:path');
const config = require('./lib/config');
const { startServer, killAll } = require('./lib/server-process');
const { runWrk } = require('./lib/wrk');
const { median } = require('./lib/stats');
const { prepareModel } = require('./lib/model');

const WAITS = ['0', '10', '50', 'auto'];
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
    const low = await drive(1, config.duration);
    const high = await drive(64, config.duration);
    log(`  wait ${wait.padEnd(4)} c=1 p50 ${low.p50.toFixed(2)} ms  c=64 ${Math.round(high.rps)} req/s`);
    return { low, high };
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
  const lowP50 = (wait) => median(results[wait].map((r) => r.low.p50));
  const highRps = (wait) => median(results[wait].map((r) => r.high.rps));
  const fixed = WAITS.filter((wait) => wait !== 'auto');
  const bestLow = fixed.reduce((a, b) => (lowP50(b) < lowP50(a) ? b : a));
  const bestHigh = fixed.reduce((a, b) => (highRps(b) > highRps(a) ? b : a));
  console.log(`MLP ${model.sizes.join('->')}, medians of ${config.rounds} round(s) x ${config.duration} s`);
  console.log('| maxWaitTime | p50 ms at c=1 | req/s at c=64 |');
  console.log('|---|---|---|');
  for (const wait of WAITS) console.log(`| ${wait} | ${lowP50(wait).toFixed(2)} | ${Math.round(highRps(wait))} |`);
  console.log(`low load: auto p50 / best fixed (${bestLow} ms) p50 = ${(lowP50('auto') / lowP50(bestLow)).toFixed(2)} (1 or less is as good)`);
  console.log(`high load: auto req/s / best fixed (${bestHigh} ms) req/s = ${(highRps('auto') / highRps(bestHigh)).toFixed(2)} (1 or more is as good)`);
}

main().catch((error) => {
  killAll();
  console.error(error.message ?? error);
  process.exit(1);
});
