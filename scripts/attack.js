#!/usr/bin/env node
/**
 * `npm run attack`: the full-size attacks on a service (test/fixtures/attack: a light stage, then a
 * batching stage with one worker), each against a fresh one, with normal traffic beside it. Prints a
 * table: the normal traffic's req/s and p99 during the attack against the same service just before
 * it, each process's peak RSS and the HTTP process's 10 s after, what the attack's connections got,
 * how long the service took to close them (or to recover), requests lost (normal traffic without an
 * answer) and processes left after SIGTERM. Ends with the double SIGTERM. Loopback only; everything
 * it starts is stopped. `ATTACK_ENV='NAME=value ...'` adds variables to the service's environment
 * (allocator settings, say); `ATTACK_ONLY=<words>` runs the attacks whose name has them.
 *
 *   npm run attack                 # about 4 minutes
 *   MOSEC_DIST=<dir> node scripts/attack.js
 */
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');
const { processTreeRss } = require('../bench/lib/memory');
const { killAll, startServer } = require('../bench/lib/server-process');
const ATTACKS = [...require('./attack/attacks').ATTACKS, ...require('./attack/input').BODY_ATTACKS];
const { normalTraffic } = require('./attack/traffic');

const DIST = join(__dirname, '..', process.env.MOSEC_DIST || 'dist');
const ENTRY = join(DIST, 'test', 'fixtures', 'attack', 'main.js');
const BASELINE_MS = 5000;
const AFTER_MS = 10_000;
const log = (message) => process.stderr.write(`${message}\n`);

async function start(env = {}) {
  return startServer({
    name: 'attack fixture',
    command: process.execPath,
    args: [ENTRY],
    env: { MOSEC_LOG_LEVEL: 'info', ...extraEnv(), ...env },
    probe: { path: '/echo', body: '{}' },
  });
}

function extraEnv() {
  const pairs = (process.env.ATTACK_ENV ?? '').split(/\s+/).filter(Boolean).map((pair) => pair.split('='));
  return Object.fromEntries(pairs.map(([name, ...value]) => [name, value.join('=')]));
}

/** The workers of the service, from its startup log: [{ stage, pid }]. */
function workersOf(server) {
  return [...server.logs().matchAll(/(\w+)#\d+ spawned \(pid (\d+)\)/g)].map((m) => ({ stage: m[1], pid: Number(m[2]) }));
}

/** Samples every process's RSS until stopped; resolves with the peaks: HTTP process, largest worker. */
function samplePeaks(pid) {
  let http = 0;
  let worker = 0;
  const timer = setInterval(() => {
    const tree = processTreeRss(pid);
    http = Math.max(http, tree.main);
    worker = Math.max(worker, ...tree.children.map((child) => child.rss));
  }, 250);
  return () => {
    clearInterval(timer);
    return { http, worker };
  };
}

/** Sends SIGTERM, waits for the exit, and counts the service's processes still alive after it. */
async function stopAndCount(server) {
  const group = server.pid;
  process.kill(server.pid, 'SIGTERM');
  await waitExit(server.pid);
  await sleep(500);
  const left = processesInGroup(group);
  await server.stop();
  return left;
}

function processesInGroup(pgid) {
  try {
    return execFileSync('pgrep', ['-g', String(pgid)]).toString().trim().split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function runAttack(attack) {
  log(`attack: ${attack.name}`);
  const server = await start(attack.env);
  try {
    const baseline = normalTraffic(server.url, attack.traffic);
    await sleep(BASELINE_MS);
    const without = await baseline.stop();
    const traffic = normalTraffic(server.url, attack.traffic);
    const peaks = samplePeaks(server.pid);
    const seen = await attack.run(server, workersOf(server));
    await sleep(1000);
    const during = await traffic.stop();
    const peak = peaks();
    // What the HTTP process gives back once the attack is over.
    await sleep(AFTER_MS);
    const after = processTreeRss(server.pid).main;
    const servesAfter = await fetch(`${server.url}/echo`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }).then((r) => r.status, () => 0);
    const left = await stopAndCount(server);
    return { name: attack.name, without, during, peak, after, seen, servesAfter, left };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** SIGTERM twice, 0.3 s apart, with 16 one-second requests in flight. */
async function doubleSigterm() {
  log('attack: SIGTERM twice, 0.3 s apart, 16 one-second requests in flight');
  const server = await start({ MOSEC_TIMEOUT: '5000' });
  const post = () =>
    fetch(`${server.url}/echo`, { method: 'POST', body: JSON.stringify({ ms: 1000 }), headers: { 'content-type': 'application/json' } }).then((r) => r.status, () => 0);
  const inFlight = Array.from({ length: 16 }, post);
  await sleep(200);
  process.kill(server.pid, 'SIGTERM');
  await sleep(300);
  process.kill(server.pid, 'SIGTERM');
  const statuses = {};
  for (const status of await Promise.all(inFlight)) statuses[status] = (statuses[status] ?? 0) + 1;
  const exited = await waitExit(server.pid);
  await sleep(500);
  const left = processesInGroup(server.pid);
  await server.stop();
  return { statuses, exited, left };
}

async function waitExit(pid) {
  const deadline = Date.now() + 20_000;
  while (isAlive(pid) && Date.now() < deadline) await sleep(50);
  return !isAlive(pid);
}

/** The normal traffic's answers other than 200, with their share. */
function others(traffic) {
  const total = Object.values(traffic.statuses).reduce((sum, count) => sum + count, 0);
  const rest = Object.entries(traffic.statuses).filter(([status]) => status !== '200');
  return rest.length ? rest.map(([status, count]) => `${status}: ${((100 * count) / total).toFixed(1)}%`).join(', ') : 'none';
}

const format = (statuses) => Object.entries(statuses).map(([status, count]) => `${count} x ${status}`).join(', ') || '-';
const number = (value, digits = 0) => (value === undefined ? '-' : value.toFixed(digits));

function table(results, signals) {
  const rows = results.map((r) => [
    r.name,
    `${number(r.during.perSecond)} / ${number(r.without.perSecond)}`,
    `${number(r.during.p99Ms, 1)} / ${number(r.without.p99Ms, 1)}`,
    `${number(r.peak.http)} / ${number(r.peak.worker)}`,
    number(r.after),
    others(r.during),
    format(r.seen.statuses),
    r.seen.closedWithinS !== undefined ? `closed within ${number(r.seen.closedWithinS, 1)} s` : r.seen.recoveredAfterS !== undefined ? `200 again after ${number(r.seen.recoveredAfterS, 1)} s` : '-',
    `${r.during.lost + r.without.lost}`,
    String(r.left),
  ]);
  rows.push([
    'SIGTERM twice, 0.3 s apart, 16 one-second requests',
    '-',
    '-',
    '-',
    '-',
    '-',
    format(signals.statuses),
    signals.exited ? 'exited' : 'still running',
    String(16 - (signals.statuses[200] ?? 0)),
    String(signals.left),
  ]);
  const head = [
    'attack',
    'normal req/s during / without',
    'p99 ms during / without',
    'peak RSS MiB http / worker',
    'http RSS MiB 10 s after',
    'normal answers not 200',
    "attack's answers",
    'service',
    'lost',
    'left',
  ];
  return [head, head.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

async function main() {
  const results = [];
  const only = process.env.ATTACK_ONLY;
  for (const attack of ATTACKS.filter((a) => !only || a.name.includes(only))) results.push(await runAttack(attack));
  const signals = await doubleSigterm();
  console.log(table(results, signals));
  const failed = results.some((r) => r.during.lost + r.without.lost > 0 || r.left > 0 || r.servesAfter !== 200) || signals.left > 0 || (signals.statuses[200] ?? 0) !== 16;
  if (failed) process.exitCode = 1;
}

main().catch((error) => {
  killAll();
  console.error(error);
  process.exit(1);
});
