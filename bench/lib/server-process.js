// A server under test as a real process on 127.0.0.1: started in its own process group on a free
// port, ready once a probe request answers 200, stopped with SIGTERM (then SIGKILL to the group).
const { spawn } = require('node:child_process');
const { createServer } = require('node:net');

const running = new Set();

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts `command args` with MOSEC_PORT/PORT set to a free port and waits until `probe` (a POST of
 * `probe.body` to `probe.path`) answers 200 (or anything, with `probe.anyStatus`: for a service that
 * listens only once it is ready), or until `probe.ready(url)` resolves true (a server fetch cannot
 * speak to, such as h2c).
 */
async function startServer({ name, command, args, env = {}, probe, readyTimeoutMs = 90_000 }) {
  const port = await freePort();
  const output = [];
  const proc = spawn(command, args, {
    env: {
      ...process.env,
      MOSEC_PORT: String(port),
      PORT: String(port),
      MOSEC_ADDRESS: '127.0.0.1',
      MOSEC_LOG_LEVEL: 'warning',
      NO_COLOR: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const keep = (chunk) => {
    output.push(chunk.toString());
    if (output.length > 200) output.shift();
  };
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  const exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve(code ?? signal)));
  const server = {
    name,
    pid: proc.pid,
    url: `http://127.0.0.1:${port}`,
    logs: () => output.join(''),
    stop: () => stopServer(server, proc, exited),
  };
  running.add(server);
  try {
    await waitReady(server, proc, probe, readyTimeoutMs);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

async function waitReady(server, proc, probe, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`${server.name} exited before it was ready:\n${server.logs()}`);
    }
    try {
      if (probe.ready) {
        if (await probe.ready(server.url)) return;
        await sleep(100);
        continue;
      }
      const answer = await fetch(server.url + probe.path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: probe.body,
        signal: AbortSignal.timeout(5_000),
      });
      await answer.arrayBuffer();
      if (answer.status === 200 || probe.anyStatus) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${server.name} not ready after ${timeoutMs} ms:\n${server.logs()}`);
}

async function stopServer(server, proc, exited, graceMs = 15_000) {
  if (!running.has(server)) return;
  if (proc.exitCode === null && proc.signalCode === null) {
    signal(proc.pid, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(proc.pid, 'SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
  // Anything the server left behind in its group (its workers) goes too.
  signalGroup(proc.pid, 'SIGKILL');
  running.delete(server);
}

function signal(pid, name) {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

function signalGroup(pid, name) {
  signal(-pid, name);
}

/** Kills every server still running (the benchmark failed or was interrupted). */
function killAll() {
  for (const server of running) signalGroup(server.pid, 'SIGKILL');
  running.clear();
}

/**
 * Runs a benchmark's async `main`: on Ctrl+C, SIGTERM or a failure it kills every server still
 * running and exits non-zero.
 */
function runBenchmark(main) {
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      killAll();
      process.exit(130);
    });
  }
  main().catch((error) => {
    killAll();
    console.error(error);
    process.exit(1);
  });
}

module.exports = { startServer, killAll, freePort, runBenchmark };
