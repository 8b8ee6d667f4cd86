#!/usr/bin/env node
/**
 * Scale-out check: two replicas of the service behind nginx on loopback, one stopped with SIGTERM
 * under load; no request nginx forwarded may be lost.
 *
 *   npm run scale-out                          (builds dist/, then runs this)
 *   MOSEC_DIST=<build dir> node scripts/scale-out.js
 *
 * 1. Starts two replicas, A and B, of the default service (`<MOSEC_DIST>/src/main.js`, POST /classify)
 *    on free ports and waits until GET / answers 200 on both.
 * 2. Starts nginx in front of them with deploy/nginx/nginx.conf (ports filled in) in a directory of
 *    its own; installs Debian's nginx with apt-get when there is none.
 * 3. Round 1: SCALE_CONNECTIONS (32) keep-alive connections POST through nginx for SCALE_DURATION
 *    (20) s, each waiting for its answer before the next request, so every request sent is answered
 *    or fails and none is cut off at the end; SIGTERM goes to A after SCALE_STOP_AFTER (5) s.
 * 4. Round 2 (unless SCALE_RESTART=0): A starts again on its port under load (it answers 503 until
 *    its workers are warm), and the load goes on SCALE_ROUND2_DURATION (8) s after A is ready: nginx
 *    must send A requests again, and lose none meanwhile.
 * 5. Stops B and A with SIGTERM and nginx with SIGQUIT; checks that no worker process is left.
 *
 * Lost: every answer but 200 and every socket error the load generator sees. The nginx access log
 * says which replica answered each request and which requests were retried on the other replica
 * after a 503 or a connection error. Exits 1 when a request was lost, a replica did not exit 0 on
 * SIGTERM, a worker process was left behind, or the restarted replica got no request.
 *
 * Other settings: SCALE_SERVICE=echo serves examples/echo (POST /inference, each batch sleeping
 * SCALE_ECHO_TIME s, 0.02 by default, so there are requests in flight to drain); SCALE_RETRY=0 drops the
 * retry settings from the nginx config (plain proxy_pass), to show what they prevent; SCALE_KEEP=1
 * keeps the temp directory (configs and logs), which is also kept when the check fails.
 *
 * Everything listens on 127.0.0.1; a run takes about a minute, is stopped after SCALE_LIMIT (100) s
 * whatever happens, and ends every process it started (replicas and nginx run in process groups of
 * their own, which are killed at the end).
 */
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const { tmpdir } = require('node:os');
const { delimiter, join } = require('node:path');
const { isMainThread, parentPort, Worker, workerData } = require('node:worker_threads');
const { childPids } = require('../bench/lib/memory');
const { freePort } = require('../bench/lib/server-process');

const ROOT = join(__dirname, '..');
const DIST = join(ROOT, process.env.MOSEC_DIST || 'dist');
const NGINX_TEMPLATE = join(ROOT, 'deploy', 'nginx', 'nginx.conf');

function number(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, not "${raw}"`);
  return value;
}

const CONNECTIONS = Math.max(1, Math.round(number('SCALE_CONNECTIONS', 32)));
const DURATION_S = number('SCALE_DURATION', 20);
const STOP_AFTER_S = number('SCALE_STOP_AFTER', 5);
const ROUND2_S = number('SCALE_ROUND2_DURATION', 8);
const RESTART = process.env.SCALE_RESTART !== '0';
const RETRY = process.env.SCALE_RETRY !== '0';
const KEEP = process.env.SCALE_KEEP === '1';
const LIMIT_S = number('SCALE_LIMIT', 100);
/** How long a replica may take to exit after SIGTERM (the default service drains for up to 20 s). */
const EXIT_GRACE_MS = 30_000;
const READY_TIMEOUT_MS = 45_000;

const SERVICES = {
  classify: {
    entry: join(DIST, 'src', 'main.js'),
    path: '/classify',
    body: JSON.stringify({ features: Array.from({ length: 16 }, (_, i) => i / 16) }),
    answerLooksRight: (body) => body.includes('"probabilities"'),
  },
  echo: {
    entry: join(DIST, 'examples', 'echo', 'main.js'),
    path: '/inference',
    body: JSON.stringify({ time: number('SCALE_ECHO_TIME', 0.02) }),
    answerLooksRight: (body) => body.includes('"msg"'),
  },
};
const SERVICE_NAME = process.env.SCALE_SERVICE || 'classify';
const SERVICE = SERVICES[SERVICE_NAME];
if (!SERVICE) throw new Error(`SCALE_SERVICE must be one of ${Object.keys(SERVICES).join(', ')}, not "${SERVICE_NAME}"`);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

// ---------------------------------------------------------------------------------------------
// Processes: every one started here leads a process group of its own, killed at the end.

/** Pids of the process groups this run started (replicas, nginx). */
const groups = new Set();

function signal(pid, name) {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false; // already gone
  }
}

function isAlive(pid) {
  return signal(pid, 0);
}

/** Every process below `pid` (the service's workers, and anything they started). */
function descendants(pid) {
  const found = [];
  for (const child of childPids(pid)) found.push(child, ...descendants(child));
  return found;
}

/** Kills whatever is left in every group this run started; synchronous, so it also runs on `exit`. */
function killEverything() {
  for (const pid of groups) signal(-pid, 'SIGKILL');
  groups.clear();
}

function spawnGroup(command, args, { env = process.env, logFile }) {
  const out = fs.openSync(logFile, 'a');
  const proc = spawn(command, args, { env, stdio: ['ignore', out, out], detached: true });
  fs.closeSync(out);
  groups.add(proc.pid);
  const exited = new Promise((resolve) => {
    proc.once('exit', (code, signalName) => resolve({ code, signal: signalName, at: Date.now() }));
  });
  return { proc, exited };
}

/** Sends `name`; waits up to `graceMs` for the exit, then kills the group. Resolves with the exit. */
async function stopProcess(running, name, graceMs) {
  const { proc, exited } = running;
  if (proc.exitCode === null && proc.signalCode === null) signal(proc.pid, name);
  const timer = setTimeout(() => signal(-proc.pid, 'SIGKILL'), graceMs);
  const exit = await exited;
  clearTimeout(timer);
  return exit;
}

// ---------------------------------------------------------------------------------------------
// Replicas

async function getStatus(url) {
  return new Promise((resolve) => {
    const request = http.get(url, { agent: false, timeout: 2000 }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode));
      response.on('error', () => resolve(0));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(0));
  });
}

function tail(file, lines = 30) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function waitReady(url, running, logFile, timeoutMs = READY_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (running.proc.exitCode !== null || running.proc.signalCode !== null) {
      throw new Error(`${url} exited before it was ready:\n${tail(logFile)}`);
    }
    if ((await getStatus(`${url}/`)) === 200) return;
    await sleep(100);
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms:\n${tail(logFile)}`);
}

function startReplica(replica, dir) {
  replica.logFile = join(dir, `replica-${replica.name}.log`);
  fs.appendFileSync(replica.logFile, `--- started ${new Date().toISOString()}\n`);
  replica.logStart = fs.statSync(replica.logFile).size;
  const env = { ...process.env, MOSEC_PORT: String(replica.port), MOSEC_ADDRESS: '127.0.0.1', NO_COLOR: '1' };
  replica.running = spawnGroup(process.execPath, [SERVICE.entry], { env, logFile: replica.logFile });
  return replica;
}

/** What the replica printed since it last started. */
function replicaLog(replica) {
  return fs.readFileSync(replica.logFile, 'utf8').slice(replica.logStart);
}

// ---------------------------------------------------------------------------------------------
// nginx

function findNginx() {
  const dirs = [...(process.env.PATH || '').split(delimiter), '/usr/sbin', '/sbin'];
  return dirs.map((dir) => join(dir, 'nginx')).find((file) => fs.existsSync(file));
}

/** Debian's nginx, installed with apt-get when missing (as bench/setup.sh installs wrk). */
function ensureNginx() {
  let nginx = findNginx();
  if (nginx) return nginx;
  console.log('scale-out: nginx not found, installing it with apt-get');
  try {
    execFileSync('sh', ['-c', 'apt-get update -qq && apt-get install -y -qq nginx >/dev/null'], { stdio: 'inherit' });
  } catch {
    throw new Error('could not install nginx (apt-get install -y nginx, as root)');
  }
  nginx = findNginx();
  if (!nginx) throw new Error('nginx still not found after apt-get install');
  return nginx;
}

/** deploy/nginx/nginx.conf with the ports filled in, and without the retry settings when asked. */
function nginxConfig(listen, a, b) {
  let text = fs.readFileSync(NGINX_TEMPLATE, 'utf8');
  if (!RETRY) {
    const without = text.replace(/^[ \t]*# retry: begin\n[\s\S]*?^[ \t]*# retry: end\n/m, '');
    if (without === text) throw new Error(`${NGINX_TEMPLATE}: no "# retry: begin" ... "# retry: end" block to drop`);
    text = without;
  }
  return text.replace(/__LISTEN__/g, listen).replace(/__REPLICA_A__/g, a).replace(/__REPLICA_B__/g, b);
}

async function startNginx(dir, listenPort, replicas) {
  const nginx = ensureNginx();
  const conf = join(dir, 'nginx.conf');
  fs.mkdirSync(join(dir, 'tmp'), { recursive: true });
  fs.writeFileSync(conf, nginxConfig(`127.0.0.1:${listenPort}`, replicas[0].address, replicas[1].address));
  const logFile = join(dir, 'nginx.out');
  const args = ['-p', `${dir}/`, '-c', conf, '-e', join(dir, 'error.log'), '-g', 'daemon off;'];
  const running = spawnGroup(nginx, args, { logFile });
  const url = `http://127.0.0.1:${listenPort}`;
  try {
    await waitReady(url, running, logFile, 10_000);
  } catch (error) {
    throw new Error(`nginx did not start: ${error.message}\n${tail(join(dir, 'error.log'))}`);
  }
  return { running, url, accessLog: join(dir, 'access.log'), errorLog: join(dir, 'error.log') };
}

/** Where each log file is now, to read what a round added. */
function logMarks(front) {
  const size = (file) => (fs.existsSync(file) ? fs.statSync(file).size : 0);
  return { access: size(front.accessLog), error: size(front.errorLog) };
}

function readFrom(file, offset) {
  if (!fs.existsSync(file)) return '';
  return fs.readFileSync(file).subarray(offset).toString('utf8');
}

const ACCESS_LINE = /^(\S+) (\d+) (\S+) (\S+) "([^"]*)" "([^"]*)" (\S+)$/;

/**
 * The round's requests to `path` in nginx's access log: who answered, which were retried, and on what.
 * `nameOf` maps "127.0.0.1:port" to the replica's name.
 */
function readAccessLog(front, marks, path, nameOf, since) {
  const summary = {
    requests: 0,
    statuses: new Map(),
    answeredBy: new Map(),
    answeredSince: new Map(),
    retried: new Map(),
  };
  const bump = (map, key) => map.set(key, (map.get(key) ?? 0) + 1);
  for (const line of readFrom(front.accessLog, marks.access).split('\n')) {
    const match = ACCESS_LINE.exec(line);
    if (!match || match[3] !== 'POST' || match[4] !== path) continue;
    const [, msec, status, , , addrs, upstreamStatuses] = match;
    summary.requests++;
    bump(summary.statuses, status);
    const tried = addrs.split(', ');
    const answers = upstreamStatuses.split(', ');
    const last = nameOf(tried[tried.length - 1]);
    if (status.startsWith('2')) {
      bump(summary.answeredBy, last);
      if (since !== undefined && Number(msec) * 1000 > since) bump(summary.answeredSince, last);
    }
    // Every try but the last failed and sent nginx to the next replica (nginx logs 502 for a
    // connection refused or reset, 504 for a timeout).
    for (let i = 0; i < tried.length - 1; i++) {
      const why = { 502: 'connection error', 504: 'timeout' }[answers[i]] ?? answers[i];
      bump(summary.retried, `${nameOf(tried[i])} ${why}`);
    }
  }
  return summary;
}

/** nginx's error log lines of the round, counted by what they say (without time, client and request). */
function readErrorLog(front, marks) {
  const counts = new Map();
  for (const line of readFrom(front.errorLog, marks.error).split('\n')) {
    const match = /\[(\w+)\] \d+#\d+: (?:\*\d+ )?(.*?)(?:, client: .*)?$/.exec(line);
    if (!match) continue;
    const [, level, message] = match;
    if (level === 'notice') continue; // start, stop, signals
    const key = `[${level}] ${message.replace(/127\.0\.0\.1:\d+/g, 'replica')}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

// ---------------------------------------------------------------------------------------------
// Load: `connections` loops, each sending one request at a time on a keep-alive connection. It runs
// in a worker thread, so that the SIGTERM, sent from the main thread, does not always fall at the same
// point of the load's own cycle (just after a batch of answers came back, when the replica has
// nothing in flight).

/** Load threads still running, stopped at the end whatever happens. */
const loadThreads = new Set();

function startLoad(url, durationMs, connections) {
  // Milliseconds from `startedAt` to the end of the load, which the main thread may move.
  const startedAt = Date.now();
  const end = new Int32Array(new SharedArrayBuffer(4));
  Atomics.store(end, 0, durationMs);
  const thread = new Worker(__filename, { workerData: { url, startedAt, end, connections } });
  loadThreads.add(thread);
  const done = new Promise((resolve, reject) => {
    thread.once('message', resolve);
    thread.once('error', reject);
    thread.once('exit', (code) => reject(new Error(`the load thread exited (${code}) without a result`)));
  }).finally(() => loadThreads.delete(thread));
  return { done, endAt: (time) => Atomics.store(end, 0, Math.max(0, time - startedAt)) };
}

async function load(url, startedAt, end, connections) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const result = { sent: 0, ok: 0, statuses: new Map(), errors: new Map(), wrongBodies: 0, ms: 0 };
  const bump = (map, key) => map.set(key, (map.get(key) ?? 0) + 1);
  const target = new URL(SERVICE.path, url);
  const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(SERVICE.body) };

  const one = () =>
    new Promise((resolve) => {
      let done = false;
      const finish = (answer) => {
        if (!done) resolve(answer);
        done = true;
      };
      const request = http.request(target, { method: 'POST', agent, headers }, (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => finish({ status: response.statusCode, body: Buffer.concat(chunks).toString() }));
        response.on('error', (error) => finish({ error }));
        response.on('aborted', () => finish({ error: Object.assign(new Error('aborted'), { code: 'ABORTED' }) }));
      });
      request.setTimeout(60_000, () => request.destroy(Object.assign(new Error('timeout'), { code: 'CLIENT_TIMEOUT' })));
      request.on('error', (error) => finish({ error }));
      request.end(SERVICE.body);
    });

  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < startedAt + Atomics.load(end, 0)) {
        const answer = await one();
        result.sent++;
        if (answer.error) {
          bump(result.errors, answer.error.code || answer.error.message);
        } else {
          bump(result.statuses, String(answer.status));
          if (answer.status === 200 && SERVICE.answerLooksRight(answer.body)) result.ok++;
          else if (answer.status === 200) result.wrongBodies++;
        }
      }
    }),
  );
  result.ms = Date.now() - startedAt;
  agent.destroy();
  result.lost = result.sent - result.ok;
  return result;
}

// ---------------------------------------------------------------------------------------------
// Report

function table(title, rows) {
  const width = Math.max(...rows.map(([label]) => label.length));
  const valueWidth = Math.max(...rows.map(([, value]) => String(value).length));
  console.log(`\n${title}`);
  console.log(`| ${'measure'.padEnd(width)} | ${'value'.padEnd(valueWidth)} |`);
  console.log(`|${'-'.repeat(width + 2)}|${'-'.repeat(valueWidth + 2)}|`);
  for (const [label, value] of rows) console.log(`| ${label.padEnd(width)} | ${String(value).padEnd(valueWidth)} |`);
}

const list = (map) => [...map].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, count]) => `${key}: ${count}`).join(', ') || 'none';

function roundRows(load, log, errors, replicas) {
  const rows = [
    ['requests sent (load generator)', load.sent],
    ['requests in nginx access log', log.requests],
    ['throughput', `${Math.round(load.sent / (load.ms / 1000))} req/s over ${seconds(load.ms)}`],
    ['answers by status (client)', list(load.statuses)],
    ['socket errors (client)', list(load.errors)],
    ['200 with a wrong body', load.wrongBodies],
    ['LOST (non-2xx, errors, wrong bodies)', load.lost],
  ];
  for (const replica of replicas) rows.push([`answered by ${replica.name} (${replica.address})`, log.answeredBy.get(replica.name) ?? 0]);
  rows.push(['retried on the other replica, by first try', list(log.retried)]);
  rows.push(['nginx error log', errors.size ? '' : 'nothing']);
  for (const [message, count] of errors) rows.push([`  ${count} x`, message.slice(0, 110)]);
  return rows;
}

// ---------------------------------------------------------------------------------------------

async function main() {
  if (!fs.existsSync(SERVICE.entry)) {
    throw new Error(`${SERVICE.entry} not found: build first (see the top of this file) or set MOSEC_DIST`);
  }
  if (STOP_AFTER_S >= DURATION_S) throw new Error(`SCALE_STOP_AFTER (${STOP_AFTER_S}) must be less than SCALE_DURATION (${DURATION_S})`);
  ensureNginx();
  const dir = fs.mkdtempSync(join(tmpdir(), 'mosec-scale-out-'));
  fs.chmodSync(dir, 0o755); // nginx's workers run as another user when nginx starts as root
  const problems = [];
  const reports = [];
  let keep = KEEP;
  console.log(`scale-out: ${SERVICE_NAME} (${SERVICE.entry}), nginx ${RETRY ? 'with' : 'WITHOUT'} retry settings, files in ${dir}`);

  try {
    const replicas = [];
    for (const name of ['A', 'B']) {
      let port = await freePort();
      while (replicas.some((replica) => replica.port === port)) port = await freePort();
      replicas.push({ name, port, address: `127.0.0.1:${port}`, url: `http://127.0.0.1:${port}` });
    }
    const nameOf = (address) => replicas.find((replica) => replica.address === address)?.name ?? address;
    const [a, b] = replicas;
    const warmStart = Date.now();
    replicas.forEach((replica) => startReplica(replica, dir));
    await Promise.all(replicas.map((replica) => waitReady(replica.url, replica.running, replica.logFile)));
    const allWorkers = new Set();
    for (const replica of replicas) descendants(replica.running.proc.pid).forEach((pid) => allWorkers.add(pid));
    console.log(`scale-out: replicas A ${a.address} and B ${b.address} ready after ${seconds(Date.now() - warmStart)} (${allWorkers.size} worker processes)`);

    const front = await startNginx(dir, await freePort(), replicas);
    console.log(`scale-out: nginx on ${front.url}`);

    // Round 1: load, SIGTERM to A part-way.
    let stop;
    const marks1 = logMarks(front);
    console.log(`scale-out: round 1: ${CONNECTIONS} connections for ${DURATION_S} s, SIGTERM to A after ${STOP_AFTER_S} s`);
    const workersOfA = descendants(a.running.proc.pid);
    const sigterm = setTimeout(() => {
      stop = { at: Date.now() };
      signal(a.running.proc.pid, 'SIGTERM');
      const timer = setTimeout(() => signal(-a.running.proc.pid, 'SIGKILL'), EXIT_GRACE_MS);
      stop.exit = a.running.exited.then((exit) => {
        clearTimeout(timer);
        return { ...exit, killed: Date.now() - stop.at >= EXIT_GRACE_MS, leftWorkers: workersOfA.filter(isAlive) };
      });
    }, STOP_AFTER_S * 1000);
    const load1 = await startLoad(front.url, DURATION_S * 1000, CONNECTIONS).done;
    clearTimeout(sigterm);
    if (!stop) throw new Error('the load ended before the SIGTERM was sent');
    const exitA = await stop.exit;
    const log1 = readAccessLog(front, marks1, SERVICE.path, nameOf, stop.at);
    const errors1 = readErrorLog(front, marks1);
    const drained = /draining (\d+) in-flight/.exec(replicaLog(a))?.[1] ?? '?';
    const rows1 = roundRows(load1, log1, errors1, replicas);
    rows1.push(
      ['A: in flight at SIGTERM (its log)', drained],
      ['A: answered 200 after SIGTERM (nginx log)', log1.answeredSince.get('A') ?? 0],
      ['A: exit code', exitA.killed ? `${exitA.code ?? exitA.signal} (killed after ${EXIT_GRACE_MS / 1000} s)` : exitA.code ?? exitA.signal],
      ['A: time from SIGTERM to exit', seconds(exitA.at - stop.at)],
      ['A: worker processes left', `${exitA.leftWorkers.length} of ${workersOfA.length}`],
    );
    reports.push([`round 1: ${CONNECTIONS} connections, ${DURATION_S} s, SIGTERM to A after ${STOP_AFTER_S} s`, rows1]);
    if (load1.lost) problems.push(`round 1: ${load1.lost} request(s) lost`);
    if (exitA.code !== 0 || exitA.killed) problems.push(`A exited with ${exitA.code ?? exitA.signal} after SIGTERM, not 0`);
    if (exitA.leftWorkers.length) problems.push(`A left worker processes ${exitA.leftWorkers.join(', ')}`);
    if (!log1.answeredBy.get('A')) problems.push('round 1: A answered nothing before its SIGTERM');

    // Round 2: A starts again on its port under load (answering 503 until its workers are warm);
    // the load goes on for ROUND2_S s after A is ready, and nginx must send A requests again.
    if (RESTART) {
      const marks2 = logMarks(front);
      const load2 = startLoad(front.url, READY_TIMEOUT_MS + ROUND2_S * 1000, CONNECTIONS);
      const restartAt = Date.now();
      startReplica(a, dir);
      let readyAfter;
      try {
        await waitReady(a.url, a.running, a.logFile);
        readyAfter = Date.now() - restartAt;
        console.log(`scale-out: round 2: A restarted under load, ready after ${seconds(readyAfter)}; ${ROUND2_S} s more load`);
        load2.endAt(Date.now() + ROUND2_S * 1000);
      } catch (error) {
        load2.endAt(Date.now());
        problems.push(`round 2: ${error.message}`);
      }
      const result2 = await load2.done;
      descendants(a.running.proc.pid).forEach((pid) => allWorkers.add(pid));
      const log2 = readAccessLog(front, marks2, SERVICE.path, nameOf, restartAt + (readyAfter ?? 0));
      const errors2 = readErrorLog(front, marks2);
      const rows2 = roundRows(result2, log2, errors2, replicas);
      rows2.push(
        ['A: ready after restart (under load)', readyAfter === undefined ? 'never' : seconds(readyAfter)],
        ['A: answered 200 once ready (nginx log)', log2.answeredSince.get('A') ?? 0],
      );
      reports.push([`round 2: A restarted on ${a.address} under load, then ${ROUND2_S} s`, rows2]);
      if (result2.lost) problems.push(`round 2: ${result2.lost} request(s) lost`);
      if (!log2.answeredBy.get('A')) problems.push('round 2: nginx sent the restarted replica no request');
    }

    // The end: every replica with SIGTERM (each must exit 0), then nginx.
    for (const replica of replicas) descendants(replica.running.proc.pid).forEach((pid) => allWorkers.add(pid));
    const endRows = [];
    for (const replica of replicas) {
      if (replica.running.proc.exitCode !== null || replica.running.proc.signalCode !== null) continue;
      const sent = Date.now();
      const exit = await stopProcess(replica.running, 'SIGTERM', EXIT_GRACE_MS);
      endRows.push([`${replica.name}: exit on SIGTERM at the end`, `${exit.code ?? exit.signal} after ${seconds(exit.at - sent)}`]);
      if (exit.code !== 0) problems.push(`${replica.name} exited with ${exit.code ?? exit.signal} at the end, not 0`);
    }
    const nginxExit = await stopProcess(front.running, 'SIGQUIT', 5000);
    endRows.push(['nginx: exit on SIGQUIT', nginxExit.code ?? nginxExit.signal]);
    await sleep(200);
    const left = [...allWorkers].filter(isAlive);
    endRows.push(['worker processes left (all replicas, all rounds)', `${left.length} of ${allWorkers.size}`]);
    if (left.length) problems.push(`worker processes left: ${left.join(', ')}`);
    reports.push(['end', endRows]);
  } catch (error) {
    problems.push(error.message);
  } finally {
    await Promise.all([...loadThreads].map((thread) => thread.terminate()));
    killEverything();
  }

  for (const [title, rows] of reports) table(title, rows);
  console.log('');
  if (problems.length) {
    keep = true;
    console.log(`FAILED (nginx ${RETRY ? 'with' : 'without'} retry settings):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  } else {
    console.log(`PASSED: no request lost, the stopped replica exited 0, no worker process left`);
  }
  if (keep) console.log(`logs and configs kept in ${dir}`);
  else fs.rmSync(dir, { recursive: true, force: true });
  return problems.length ? 1 : 0;
}

if (!isMainThread) {
  const { url, startedAt, end, connections } = workerData;
  load(url, startedAt, end, connections).then((result) => parentPort.postMessage(result));
  return;
}

process.on('exit', killEverything);
for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(name, () => {
    console.error(`scale-out: ${name}, stopping everything`);
    killEverything();
    process.exit(1);
  });
}

const limit = setTimeout(() => {
  console.error(`scale-out: still running after ${LIMIT_S} s, stopping everything`);
  killEverything();
  process.exit(1);
}, LIMIT_S * 1000);

main().then(
  (code) => {
    clearTimeout(limit);
    process.exitCode = code;
  },
  (error) => {
    clearTimeout(limit);
    console.error(error);
    killEverything();
    process.exitCode = 1;
  },
);
