#!/usr/bin/env node
// `npm run bench`: starts each server as a real process on 127.0.0.1, warms it, drives it with wrk,
// stops it, and prints one table of medians over the rounds and the peers section; writes the
// concurrency chart, the peers' bar chart, the tables and the raw numbers to bench/results/.
// Knobs: see bench/README.md.
const { execFileSync } = require('node:child_process');
const { existsSync, mkdirSync, writeFileSync } = require('node:fs');
const { availableParallelism } = require('node:os');
const { join, relative } = require('node:path');
const config = require('./lib/config');
const { concurrencyChart } = require('./lib/chart');
const { barChart } = require('./lib/bar-chart');
const { PEERS, selectPeers } = require('./lib/peers');
const { peerBars, peerRows } = require('./lib/peers-table');
const { buildRows, memoryDetail, problems } = require('./lib/report');
const { runRound } = require('./lib/round');
const { benchSteps } = require('./lib/steps');
const { runBenchmark } = require('./lib/server-process');
const { median } = require('./lib/stats');
const { markdownTable } = require('./lib/table');
const { prepareModel } = require('./lib/model');

const log = (message) => process.stderr.write(`${message}\n`);

function commandOutput(command, args) {
  try {
    return execFileSync(command, args, { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return undefined;
  }
}

function requireTools() {
  if (commandOutput('sh', ['-c', 'command -v wrk']) === undefined) {
    throw new Error('wrk is not installed: run `bash bench/setup.sh`');
  }
  for (const example of ['echo', 'mlp']) {
    if (!existsSync(join(config.DIST, 'examples', example, 'main.js'))) {
      throw new Error(`no compiled ${example} example under ${config.DIST}: run \`npm run build\` (or set MOSEC_DIST)`);
    }
  }
}

function mosecVersion() {
  return commandOutput(config.python, ['-c', 'import importlib.metadata as m, mosec; print(m.version("mosec"))']);
}

function chartSeries(rounds, steps) {
  return ['echo', 'fastify', 'mosec']
    .map((key) => steps.find((step) => step.key === key))
    .filter(Boolean)
    .map((server) => ({
      name: server.name,
      points: config.concurrencies.map((connections) => ({
        concurrency: connections,
        rps: median(rounds.map((round) => round[server.key]?.loads[connections]?.rps)) ?? 0,
        p99: median(rounds.map((round) => round[server.key]?.loads[connections]?.p99)) ?? 0,
      })),
    }))
    .filter((line) => line.points.some((point) => point.rps > 0));
}

async function main() {
  requireTools();
  const mosec = mosecVersion();
  if (!mosec) log('mosec is not installed for ' + config.python + ' (bash bench/setup.sh): its rows are skipped');
  const { peers, skipped } = selectPeers();
  for (const line of skipped) log(line);
  const model = prepareModel();
  const steps = benchSteps({ modelPath: model.path, withMosec: Boolean(mosec), peers });
  const started = Date.now();

  const rounds = [];
  const failures = [];
  for (let index = 0; index < config.rounds; index++) {
    log(`round ${index + 1}/${config.rounds}`);
    // Every other round runs the servers in the reverse order, so no server always meets the machine first.
    rounds.push(await runRound(index % 2 ? [...steps].reverse() : steps, model.path, failures));
  }

  const rows = buildRows(rounds, { ...config, mosecMissing: !mosec });
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  const header = [
    `@mosec/nest benchmark, ${new Date().toISOString().slice(0, 10)}: medians of ${config.rounds} round(s) x ${config.duration} s per load,` +
      ` wrk ${config.wrkThreads} thread(s), ${availableParallelism()} cores, node ${process.version}, mosec ${mosec ?? 'not installed'}.`,
    `MLP ${model.sizes.join('->')}, ${config.onnxThreads} onnxruntime thread(s) in the service's worker, the naive server and the offline loop.`,
    `Our echo's batching stage runs with maxWaitTime ${config.echoWait} (BENCH_ECHO_WAIT); mosec's with its fixed 10 ms.`,
    `Peers: ${peers.length ? peers.map((peer) => `${peer.name} ${peer.version}`).join(', ') : 'none'} (BENCH_PEERS; bench/README.md says how each is configured).`,
  ];
  const detail = memoryDetail(rounds[rounds.length - 1]);
  const notes = [
    'ratio: median over rounds of ours / baseline measured in the same round (P5: ours - baseline).',
    `RSS/PSS MiB per process after load, last round: echo: ours ${detail.ours}; mosec ${detail.mosec}. MLP: ours ${detail.oursMlp}; mosec ${detail.mosecMlp}.`,
    ...problems(rounds).map((problem) => `warning: ${problem}`),
    ...failures.map((failure) => `failed: ${failure}`),
  ];

  mkdirSync(config.resultsDir, { recursive: true });
  const chartPath = join(config.resultsDir, 'echo-concurrency.svg');
  const chart = concurrencyChart({
    title: 'echo pipeline: throughput and p99 latency against concurrency',
    caption: header[0],
    series: chartSeries(rounds, steps),
  });
  writeFileSync(chartPath, chart);
  // The peers section: a column per server, ours first; peers not selected or not installed say so.
  const columns = [
    { key: 'ours', name: 'ours' },
    { key: 'mosec', name: 'mosec', missing: mosec ? undefined : 'not installed' },
    ...PEERS.map((peer) => ({
      key: peer.key,
      name: peer.name,
      missing: peers.some((selected) => selected.key === peer.key) ? undefined : 'not run',
    })),
  ];
  const peerTable = peerRows(rounds, columns);
  const peersChartPath = join(config.resultsDir, 'peers.svg');
  writeFileSync(peersChartPath, barChart({
    title: 'req/s at 64 connections, per server',
    caption: header[0],
    groups: [
      { title: 'echo pipeline: req/s, c=64', bars: peerBars(rounds, columns, 'echo') },
      { title: `MLP ${model.sizes.join('->')}: req/s, c=64`, bars: peerBars(rounds, columns, 'mlp') },
    ],
  }));
  const peersSection = [
    '## Peers',
    '',
    markdownTable(peerTable.rows, peerTable.columns),
    '',
    'ours / server: the median over rounds of ours divided by that server in the same round (req/s: above 1 is ours ahead; latency and memory: below 1 is ours ahead).',
    'PyTriton is driven in its own protocol (POST /v2/models/<model>/infer) and BentoML with a batch of one per request ({"time": [0]}); see bench/README.md.',
  ];
  const table = [...header, '', markdownTable(rows), '', ...notes, '', ...peersSection].join('\n');
  writeFileSync(join(config.resultsDir, 'table.md'), table + '\n');
  writeFileSync(join(config.resultsDir, 'results.json'), JSON.stringify({ config, mosec, peers: peers.map(({ key, name, version }) => ({ key, name, version })), model, rounds, rows, peerRows: peerTable.rows }, null, 2) + '\n');

  console.log(table);
  console.log(`charts: ${relative(process.cwd(), chartPath)}, ${relative(process.cwd(), peersChartPath)}; raw numbers: ${relative(process.cwd(), join(config.resultsDir, 'results.json'))}; took ${minutes} min`);
  if (failures.length > 0) process.exitCode = 1;
}

runBenchmark(main);
