// What one round measures, in order: the servers (how each starts, what it answers, which loads it
// gets) and, next to the MLP service it is compared with, the model run offline. Each job's servers
// run one after another in the same round: ours, mosec, then the peers (bench/lib/peers.js).
const { join } = require('node:path');
const config = require('./config');

const ECHO_BODY = '{"time":0}';
const MLP_BODY = JSON.stringify({ features: Array.from({ length: 16 }, (_, i) => (i + 1) / 10) });

/** The loads every peer gets: latency alone (c=1) and throughput (c=64). */
const PEER_LOADS = [1, 64];

/** A peer's server for `job` ('echo' or 'mlp'), as a step. */
function peerStep(peer, job, env) {
  const [command, args] = peer.command(peer.python, job);
  return {
    key: `${peer.key}:${job}`,
    name: `${peer.name} (${job === 'echo' ? 'echo' : 'MLP'})`,
    command,
    args,
    env,
    path: peer[job].path,
    script: peer[job].script,
    probe: peer[job].probe,
    loads: PEER_LOADS,
    memory: true,
  };
}

/**
 * Every server takes POST `path` (/inference unless said). `loads` are the concurrency levels
 * measured after the warm-up; `memory` asks for the RSS and PSS of its process tree when idle and
 * after the loads. The step marked `offline` is no server: it runs bench/servers/mlp-offline.js.
 * `peers` are the installed peers selected by BENCH_PEERS (bench/lib/peers.js).
 */
function benchSteps({ modelPath, withMosec, peers = [] }) {
  const mlpEnv = { MLP_MODEL_PATH: modelPath, MOSEC_ONNX_THREADS: String(config.onnxThreads) };
  const servers = [
    {
      key: 'fastify',
      name: 'bare fastify',
      command: process.execPath,
      args: [join(__dirname, '..', 'servers', 'fastify-echo.js')],
      script: 'echo',
      probe: ECHO_BODY,
      loads: config.concurrencies,
    },
    {
      key: 'echo',
      name: 'ours (echo)',
      command: process.execPath,
      args: [join(config.DIST, 'examples', 'echo', 'main.js')],
      env: { ECHO_MAX_WAIT: config.echoWait },
      script: 'echo',
      probe: ECHO_BODY,
      loads: config.concurrencies,
      memory: true,
    },
    withMosec && {
      key: 'mosec',
      name: 'mosec (echo)',
      command: config.python,
      args: [join(__dirname, '..', 'servers', 'mosec_echo.py')],
      script: 'echo',
      probe: ECHO_BODY,
      loads: config.concurrencies,
      memory: true,
    },
    ...peers.map((peer) => peerStep(peer, 'echo', {})),
    {
      key: 'mlp',
      name: 'ours (MLP)',
      command: process.execPath,
      args: [join(config.DIST, 'examples', 'mlp', 'main.js')],
      env: mlpEnv,
      script: 'mlp',
      probe: MLP_BODY,
      loads: [...new Set([1, 64, config.saturation])],
      memory: true,
    },
    withMosec && {
      key: 'mosecMlp',
      name: 'mosec (MLP)',
      command: config.python,
      args: [join(__dirname, '..', 'peers', 'mosec', 'mlp.py')],
      env: mlpEnv,
      script: 'mlp',
      probe: MLP_BODY,
      loads: [...new Set([1, 64, config.saturation])],
      memory: true,
    },
    ...peers.map((peer) => peerStep(peer, 'mlp', mlpEnv)),
    { key: 'offline', name: 'offline MLP', offline: true },
    {
      key: 'naive',
      name: 'naive Nest (MLP)',
      command: process.execPath,
      args: [join(__dirname, '..', 'servers', 'naive-mlp', 'main.js')],
      env: mlpEnv,
      script: 'mlp',
      probe: MLP_BODY,
      loads: [64],
    },
  ];
  return servers.filter(Boolean);
}

module.exports = { benchSteps };
