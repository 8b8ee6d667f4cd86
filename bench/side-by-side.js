#!/usr/bin/env node
// `node bench/side-by-side.js`: ours against mosec the way a sceptical user runs them, one server at
// a time, alternating in every round: each example exactly as it ships (no wait or thread override:
// the MLP's generated model and MOSEC_ONNX_THREADS are the only settings, and mosec's server gets the
// same), the same warm-up and the same loads for every server in the same order (c=1, then c=64),
// the process tree's memory read right after the c=64 load, and the offline batch loop alone next to
// the MLP servers. Prints medians of the per-round figures and ratios; keeps every round in
// results/side-by-side.json beside the table results/side-by-side.md.
// BENCH_BEFORE_DIST=<folder> puts another build of ours (a copy of dist/ from before a change) in
// mosec's place: a change's before/after ratio, measured the same way.
const { mkdirSync, writeFileSync } = require('node:fs');
const { availableParallelism } = require('node:os');
const { join, resolve } = require('node:path');
const config = require('./lib/config');
const { processTreeMemory } = require('./lib/memory');
const { prepareModel } = require('./lib/model');
const { runOffline } = require('./lib/round');
const { runBenchmark, startServer } = require('./lib/server-process');
const { median } = require('./lib/stats');
const { markdownTable, plainTable } = require('./lib/table');
const { sideBySideRows } = require('./lib/targets');
const { runWrk } = require('./lib/wrk');

const log = (message) => process.stderr.write(`${message}\n`);
const ECHO_BODY = '{"time":0}';
const MLP_BODY = JSON.stringify({ features: Array.from({ length: 16 }, (_, i) => (i + 1) / 10) });
const JOBS = (process.env.BENCH_JOBS ?? 'mlp,echo').split(',');
const BEFORE = process.env.BENCH_BEFORE_DIST;
const BASELINE = BEFORE ? 'before' : 'mosec';

function servers(modelPath) {
  const mlpEnv = { MLP_MODEL_PATH: modelPath, MOSEC_ONNX_THREADS: String(config.onnxThreads) };
  const node = (dist, example, env = {}) => ({ command: process.execPath, args: [join(dist, 'examples', example, 'main.js')], env });
  const python = (file, env = {}) => ({ command: config.python, args: [join(__dirname, file)], env });
  const before = BEFORE && resolve(BEFORE);
  return {
    mlp: { script: 'mlp', probe: MLP_BODY, ours: node(config.DIST, 'mlp', mlpEnv), mosec: before ? node(before, 'mlp', mlpEnv) : python('peers/mosec/mlp.py', mlpEnv) },
    echo: {
      script: 'echo', probe: ECHO_BODY, ours: node(config.DIST, 'echo'), mosec: before ? node(before, 'echo') : python('servers/mosec_echo.py'),
      // The floor of any Node server: a bare fastify route answering the same JSON in-process.
      fastify: { command: process.execPath, args: [join(__dirname, 'servers', 'fastify-echo.js')], env: {} },
    },
  };
}

async function measure(name, server, job) {
  const running = await startServer({ name, ...server, probe: { path: '/inference', body: job.probe } });
  try {
    const drive = (connections, seconds) =>
      runWrk({ url: `${running.url}/inference`, script: job.script, connections, seconds, threads: config.wrkThreads });
    await drive(64, config.warmup);
    const c1 = await drive(1, config.duration);
    const c64 = await drive(64, config.duration);
    const memory = processTreeMemory(running.pid);
    const figures = { rps: c64.rps, p50: c1.p50, p99: c1.p99, tail: c1.p99 / c1.p50, pss: memory.totalPss, processes: 1 + memory.children.length, memory };
    const bad = c1.errors + c1.non2xx + c64.errors + c64.non2xx;
    log(`  ${name.padEnd(12)} c=64 ${Math.round(c64.rps)} req/s; c=1 p50 ${c1.p50.toFixed(2)} p99 ${c1.p99.toFixed(2)} ms; PSS ${memory.totalPss.toFixed(0)} MiB in ${figures.processes} processes${bad ? `; ${bad} errors or non-2xx` : ''}`);
    return figures;
  } finally {
    await running.stop();
  }
}

async function main() {
  const model = prepareModel();
  const all = servers(model.path);
  const rounds = [];
  for (let index = 0; index < config.rounds; index++) {
    log(`round ${index + 1}/${config.rounds}`);
    const round = {};
    for (const job of JOBS) {
      // Who goes first alternates, so a slow start of the machine is not always on one side.
      const sides = all[job].fastify ? ['ours', 'mosec', 'fastify'] : ['ours', 'mosec'];
      const order = index % 2 ? [...sides].reverse() : sides;
      for (const side of order) round[`${side}:${job}`] = await measure(`${side === 'mosec' ? BASELINE : side} ${job}`, all[job][side], all[job]);
      if (job === 'mlp') {
        const offline = await runOffline(model.path, { BENCH_OFFLINE_SINGLE: '0' });
        round.offline = { rps: offline.itemsPerSecond };
        log(`  offline      batch ${offline.batch}: ${Math.round(offline.itemsPerSecond)} items/s`);
      }
    }
    rounds.push(round);
  }

  const fixed = (digits) => (value) => (value === undefined ? '-' : value.toFixed(digits));
  const rowsFor = (job) => [
    ['req/s, c=64', 'rps', fixed(0)],
    ['p50 ms, c=1', 'p50', fixed(2)],
    ['p99 ms, c=1', 'p99', fixed(2)],
    ['p99 / p50, c=1', 'tail', fixed(2)],
    ['tree PSS MiB after c=64', 'pss', fixed(1)],
  ].map(([measure, field, format]) => {
    const ours = rounds.map((round) => round[`ours:${job}`]?.[field]);
    const mosec = rounds.map((round) => round[`mosec:${job}`]?.[field]);
    const ratios = rounds.map((_, i) => (ours[i] !== undefined && mosec[i] !== undefined ? ours[i] / mosec[i] : undefined));
    return [`${job} ${measure}`, format(median(ours)), format(median(mosec)), fixed(2)(median(ratios)), ratios.map(fixed(2)).join(' / ')];
  });
  const rows = JOBS.flatMap(rowsFor);
  if (JOBS.includes('mlp')) {
    const ratios = rounds.map((round) => round['ours:mlp']?.rps / round.offline?.rps);
    rows.push(['mlp req/s, c=64 / offline batch loop', fixed(0)(median(rounds.map((round) => round['ours:mlp']?.rps))),
      fixed(0)(median(rounds.map((round) => round.offline?.rps))), fixed(2)(median(ratios)), ratios.map(fixed(2)).join(' / ')]);
  }
  const header = `ours vs ${BEFORE ? `the build in ${BEFORE}` : 'mosec'} side by side, ${new Date().toISOString().slice(0, 10)}: ${config.rounds} alternating round(s), warm-up ${config.warmup} s at c=64, ` +
    `then ${config.duration} s at c=1 and at c=64, wrk ${config.wrkThreads} thread(s), ${availableParallelism()} cores; MLP ${model.sizes.join('->')}, ` +
    `${config.onnxThreads} intra-op thread(s) everywhere; PSS read right after the c=64 load.`;
  const table = [header, '', plainTable(['measure', 'ours', BEFORE ? `before (${BEFORE})` : 'mosec / baseline', 'ratio (median)', 'ratio per round'], rows)];
  // The targets (the same rows as summary.js's): against mosec only, not against an earlier build.
  if (!BEFORE) table.push('', 'Targets:', '', markdownTable(sideBySideRows({ rounds })));
  const text = table.join('\n');
  mkdirSync(config.resultsDir, { recursive: true });
  const name = BEFORE ? 'side-by-side-before' : 'side-by-side';
  writeFileSync(join(config.resultsDir, `${name}.md`), text + '\n');
  writeFileSync(join(config.resultsDir, `${name}.json`), JSON.stringify({ config, model, rounds }, null, 2) + '\n');
  console.log(text);
}

runBenchmark(main);
