// One round: each server in turn is started, warmed, driven at each of its loads, measured and
// stopped; the offline step runs the model alone, then again beside the load generator. Only one
// server runs at a time.
const { execFile } = require('node:child_process');
const { join } = require('node:path');
const config = require('./config');
const { processTreeMemory } = require('./memory');
const { startServer } = require('./server-process');
const { runWrk } = require('./wrk');

const log = (message) => process.stderr.write(`${message}\n`);

async function measureServer(server) {
  const running = await startServer({
    name: server.name,
    command: server.command,
    args: server.args,
    env: server.env,
    probe: { path: server.path ?? '/inference', body: server.probe },
  });
  try {
    const idle = server.memory ? processTreeMemory(running.pid) : undefined;
    const url = running.url + (server.path ?? '/inference');
    const drive = (connections, seconds) =>
      runWrk({ url, script: server.script, connections, seconds, threads: config.wrkThreads });
    await drive(64, config.warmup);
    const loads = {};
    for (const connections of server.loads) {
      const result = await drive(connections, config.duration);
      loads[connections] = result;
      const problems = result.errors + result.non2xx ? `  (${result.errors} socket errors, ${result.non2xx} non-2xx)` : '';
      log(`  ${server.name.padEnd(20)} c=${String(connections).padEnd(4)} ${Math.round(result.rps)} req/s  p50 ${result.p50.toFixed(2)} ms  p99 ${result.p99.toFixed(2)} ms${problems}`);
    }
    const memory = server.memory ? { idle, loaded: processTreeMemory(running.pid) } : undefined;
    return { loads, memory };
  } finally {
    await running.stop();
  }
}

/**
 * The offline loop (bench/servers/mlp-offline.js) as a process of its own, alone, then while wrk
 * drives the bare fastify echo at 64 connections on the same cores, as it drives the services:
 * { itemsPerSecond, singleItemsPerSecond, besideLoadItemsPerSecond, ... }.
 */
async function measureOffline(modelPath) {
  const alone = await runOffline(modelPath);
  const fastify = await startServer({
    name: 'bare fastify (load beside the offline loop)',
    command: process.execPath,
    args: [join(__dirname, '..', 'servers', 'fastify-echo.js')],
    probe: { path: '/inference', body: '{"time":0}' },
  });
  try {
    // Longer than the loop's model load, warm-up and measurement, so the load covers all of it.
    const load = runWrk({ url: `${fastify.url}/inference`, script: 'echo', connections: 64, seconds: config.duration + 8, threads: config.wrkThreads });
    const beside = await runOffline(modelPath, { BENCH_OFFLINE_SINGLE: '0' });
    await load;
    log(`  ${'offline MLP'.padEnd(18)} batch ${beside.batch} beside wrk at c=64: ${Math.round(beside.itemsPerSecond)} items/s`);
    return { ...alone, besideLoadItemsPerSecond: beside.itemsPerSecond };
  } finally {
    await fastify.stop();
  }
}

function runOffline(modelPath, extraEnv = {}) {
  const env = {
    ...process.env,
    MLP_MODEL_PATH: modelPath,
    MOSEC_ONNX_THREADS: String(config.onnxThreads),
    BENCH_SECONDS: String(config.duration),
    BENCH_OFFLINE_BATCH: String(config.offlineBatch),
    ...extraEnv,
  };
  const script = join(__dirname, '..', 'servers', 'mlp-offline.js');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [script], { env, timeout: (config.duration * 2 + 60) * 1000, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`offline MLP loop failed: ${error.message}\n${stderr}`));
      const result = JSON.parse(stdout.trim().split('\n').pop());
      if (result.singleItemsPerSecond !== undefined) {
        log(`  ${'offline MLP'.padEnd(18)} batch ${result.batch}: ${Math.round(result.itemsPerSecond)} items/s, batch 1: ${Math.round(result.singleItemsPerSecond)} items/s (${result.threads} threads)`);
      }
      resolve(result);
    });
  });
}

/**
 * Runs every step; one that fails (a server that does not start...) is reported in `failures` and
 * left out of the round, so the others are still measured.
 */
async function runRound(steps, modelPath, failures) {
  const round = {};
  for (const step of steps) {
    try {
      round[step.key] = step.offline ? await measureOffline(modelPath) : await measureServer(step);
    } catch (error) {
      log(`  ${step.name} failed: ${error.message}`);
      failures.push(`${step.name}: ${error.message.split('\n')[0]}`);
    }
  }
  return round;
}

module.exports = { runRound, runOffline };
