// Memory of a worker process against a bare `node` and a bare Nest application context: RSS and PSS
// from /proc/<pid>/smaps_rollup, idle and after some load, and the whole echo process tree (and
// Python mosec's, from the venv bench/setup.sh made or BENCH_PYTHON). Writes results/worker-footprint.json. Standalone: `node bench/worker-footprint.js`
// (MOSEC_DIST=dist-x for another build folder; FOOTPRINT_LOAD seconds of wrk load, 5 by default;
// FOOTPRINT_MLP=1 measures the MLP example's tree too, and mosec's MLP when bench/peers/mosec has it,
// on MLP_MODEL_PATH or the benchmark's 16x8192x8192x10 model when it was written).
//
// The phases run one after another, so that no measured process shares pages with another phase's:
// PSS divides a shared page (node's own binary above all) among the processes that map it.
const { execFileSync, spawn, spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');

const root = join(__dirname, '..');
const dist = resolve(root, process.env.MOSEC_DIST ?? 'dist');
const { python, resultsDir } = require('./lib/config');
const { childPids, memoryMiB } = require('./lib/memory');
const { freePort } = require('./lib/server-process');
const loadSeconds = Number(process.env.FOOTPRINT_LOAD ?? 5);
const settleMs = 3000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const BARE_NODE = 'setInterval(() => {}, 1000)';
// The least a Nest worker could be: an application context of an empty module.
const BARE_NEST = `require('reflect-metadata');
const { Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
class Empty {}
Module({})(Empty);
NestFactory.createApplicationContext(Empty, { logger: false }).then(() => setInterval(() => {}, 1000));`;

/** A descendant's name: its stage for our workers (from its spec variable), else its command. */
function nameOf(pid) {
  try {
    const spec = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').find((entry) => entry.startsWith('MOSEC_WORKER_SPEC='));
    if (spec) {
      const { stageName, workerId } = JSON.parse(spec.slice('MOSEC_WORKER_SPEC='.length));
      return `worker ${stageName}#${workerId}`;
    }
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    // Python mosec's: its Rust HTTP server, multiprocessing's resource tracker, its stage workers.
    if (command.some((part) => part.includes('resource_tracker'))) return 'helper';
    if (command.some((part) => part.includes('multiprocessing.spawn'))) return 'worker';
    return /(^|\/)mosec$/.test(command[0]) ? 'http' : command.join(' ').slice(0, 40);
  } catch {
    return String(pid);
  }
}

/** The process `pid` and every descendant, each with its footprint, and their sums. */
function tree(pid) {
  const rows = [];
  const visit = (current, depth) => {
    const measured = memoryMiB(current);
    if (measured) rows.push({ pid: current, name: depth === 0 ? 'main' : nameOf(current), ...measured });
    for (const child of childPids(current)) visit(child, depth + 1);
  };
  visit(pid, 0);
  const total = { rss: 0, pss: 0 };
  for (const row of rows) for (const key of Object.keys(total)) total[key] += row[key];
  return { rows, total };
}

/** Starts a process in its own group; `stop()` ends the group. */
function start(command, args, env = {}) {
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let errors = '';
  child.stderr.on('data', (chunk) => (errors = (errors + chunk).slice(-4000)));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    pid: child.pid,
    errors: () => errors,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(-child.pid, 'SIGTERM');
      const timer = setTimeout(() => process.kill(-child.pid, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function post(url, body) {
  const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(5000) });
  await answer.arrayBuffer();
  return answer.status;
}

/** The request each service is probed and loaded with. */
const JOBS = {
  echo: { body: '{"time":0}', lua: 'echo.lua' },
  mlp: { body: JSON.stringify({ features: Array.from({ length: 16 }, (_, i) => (i + 1) / 10) }), lua: 'mlp.lua' },
};

/** A service on a free port, once `/inference` answers 200. */
async function startService(name, command, args, job, env) {
  const port = await freePort();
  const service = start(command, args, { MOSEC_PORT: String(port), MOSEC_ADDRESS: '127.0.0.1', MOSEC_LOG_LEVEL: 'warning', NO_COLOR: '1', ...env });
  service.url = `http://127.0.0.1:${port}/inference`;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (service.exited()) throw new Error(`${name} exited before it was ready:\n${service.errors()}`);
    if ((await post(service.url, job.body).catch(() => 0)) === 200) return service;
    await sleep(100);
  }
  await service.stop();
  throw new Error(`${name} not ready after 120 s:\n${service.errors()}`);
}

/** Some requests: wrk at 64 connections when it is installed, else 2,000 fetches 32 at a time. */
async function load(url, job) {
  if (spawnSync('wrk', ['--version']).error === undefined) {
    const lua = join(__dirname, 'lua', job.lua);
    return void execFileSync('wrk', ['-t1', '-c64', `-d${loadSeconds}s`, '-s', lua, url], { stdio: 'ignore' });
  }
  let left = 2000;
  const client = async () => {
    while (left-- > 0) await post(url, job.body);
  };
  await Promise.all(Array.from({ length: 32 }, client));
}

async function measureService(name, command, args, job = JOBS.echo, env = {}) {
  const service = await startService(name, command, args, job, env);
  try {
    await sleep(settleMs);
    const idle = tree(service.pid);
    await load(service.url, job);
    await sleep(settleMs);
    const loaded = tree(service.pid);
    return { name, idle, loaded };
  } finally {
    await service.stop();
  }
}

function hasMosec() {
  return spawnSync(python, ['-c', 'import mosec']).status === 0;
}

const mib = (value) => (value === undefined ? '' : value.toFixed(1));
const signed = (value) => (value === undefined ? '' : `${value >= 0 ? '+' : ''}${value.toFixed(1)}`);

function printTable(rows) {
  const header = ['process', 'RSS idle', 'PSS idle', 'RSS load', 'PSS load', 'ΔRSS idle', 'ΔPSS idle', 'ΔRSS load', 'ΔPSS load'];
  const lines = rows.map((row) => [row.name, ...[row.idle?.rss, row.idle?.pss, row.loaded?.rss, row.loaded?.pss].map(mib), ...row.deltas.map(signed)]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column].length)));
  const format = (line) => line.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  console.log(format(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const line of lines) console.log(format(line));
}

async function main() {
  const echo = join(dist, 'examples', 'echo', 'main.js');
  if (!existsSync(echo)) throw new Error(`${echo} is missing: build first (npm run build, or tsc with --outDir and MOSEC_DIST)`);

  // Phase 1: the references, side by side (they are measured idle only: nothing loads them).
  const bareNode = start(process.execPath, ['-e', BARE_NODE]);
  const bareNest = start(process.execPath, ['-e', BARE_NEST]);
  await sleep(settleMs);
  const node = memoryMiB(bareNode.pid);
  const nest = memoryMiB(bareNest.pid);
  if (!node || !nest) throw new Error(`a reference process failed:\n${bareNode.errors()}${bareNest.errors()}`);
  await bareNode.stop();
  await bareNest.stop();

  // Phase 2: our echo; phase 3: mosec's, when there is one.
  const services = [await measureService('echo', process.execPath, [echo])];
  const mosec = hasMosec();
  if (mosec) services.push(await measureService('mosec echo', python, [join(__dirname, 'servers', 'mosec_echo.py')]));
  else console.log(`(mosec is not installed for ${python}: BENCH_PYTHON names one that has it)`);
  if (process.env.FOOTPRINT_MLP === '1') {
    const benchModel = join(tmpdir(), 'mosec-nest-bench', 'mlp-16x8192x8192x10.onnx');
    const model = process.env.MLP_MODEL_PATH ?? (existsSync(benchModel) ? benchModel : undefined);
    const env = model ? { MLP_MODEL_PATH: model } : {};
    services.push(await measureService('mlp', process.execPath, [join(dist, 'examples', 'mlp', 'main.js')], JOBS.mlp, env));
    const peer = join(__dirname, 'peers', 'mosec', 'mlp.py');
    if (mosec && model && existsSync(peer)) services.push(await measureService('mosec mlp', python, [peer], JOBS.mlp, env));
  }

  const rows = [];
  const delta = (sample, key) => (sample ? sample[key] - node[key] : undefined);
  const row = (name, idle, loaded) => rows.push({ name, idle, loaded, deltas: [delta(idle, 'rss'), delta(idle, 'pss'), delta(loaded, 'rss'), delta(loaded, 'pss')] });
  row('bare node', node, undefined);
  row('bare Nest context', nest, undefined);
  const totals = [];
  for (const service of services) {
    for (const idle of service.idle.rows) {
      const loaded = service.loaded.rows.find((candidate) => candidate.pid === idle.pid);
      row(`${service.name}: ${idle.name}`, idle, loaded);
    }
    totals.push({ name: `${service.name}: whole tree`, idle: service.idle.total, loaded: service.loaded.total });
  }
  for (const total of totals) rows.push({ ...total, deltas: [undefined, undefined, undefined, undefined] });
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'worker-footprint.json'), JSON.stringify({ bareNode: node, bareNest: nest, rows }, null, 2) + '\n');
  console.log(`MiB, from /proc/<pid>/smaps_rollup; Δ is over the bare node; load: ${loadSeconds} s of wrk at c=64 (bench/lua/echo.lua, mlp.lua)\n`);
  printTable(rows);
  console.log('');
  for (const job of ['echo', 'mlp']) {
    const ours = totals.find((total) => total.name === `${job}: whole tree`);
    const theirs = totals.find((total) => total.name === `mosec ${job}: whole tree`);
    if (!ours || !theirs) continue;
    console.log(`${job} tree PSS over mosec's: ${(ours.idle.pss / theirs.idle.pss).toFixed(2)}x idle, ${(ours.loaded.pss / theirs.loaded.pss).toFixed(2)}x after load`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
