// The Python servers the benchmark compares ours with, each from a venv of its own
// (bench/.venvs/<peer>, made by bench/setup.sh from bench/peers/<peer>/requirements.txt).
const { execFileSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const BENCH = join(__dirname, '..');
const PEERS_DIR = join(BENCH, 'peers');

/** The venv's Python, or undefined when setup.sh has not installed it (its stamp is written last). */
function venvPython(peer) {
  const venv = join(BENCH, '.venvs', peer);
  return existsSync(join(venv, '.installed')) ? join(venv, 'bin', 'python') : undefined;
}

/** The installed version of `distribution` for `python`, or undefined. */
function versionIn(python, distribution) {
  try {
    return execFileSync(python, ['-c', `import importlib.metadata as m; print(m.version("${distribution}"))`], {
      stdio: ['ignore', 'pipe', 'ignore'],
    }).toString().trim();
  } catch {
    return undefined;
  }
}

const TRITON_ECHO = '{"inputs":[{"name":"time","shape":[1,1],"datatype":"FP32","data":[0]}]}';
const TRITON_MLP = JSON.stringify({
  inputs: [{ name: 'features', shape: [1, 16], datatype: 'FP32', data: Array.from({ length: 16 }, (_, i) => (i + 1) / 10) }],
});
const MLP_ROW = Array.from({ length: 16 }, (_, i) => (i + 1) / 10);

/**
 * Per peer: its key (folder and venv), display name, PyPI distribution, and for each job the server
 * (a command and its arguments given the venv's Python), the path it serves, the wrk script and the
 * probe body. PyTriton speaks Triton's protocol; BentoML's batchable APIs take a batch per request.
 */
const PEERS = [
  {
    key: 'pytriton',
    name: 'PyTriton',
    distribution: 'nvidia-pytriton',
    echo: { path: '/v2/models/echo/infer', script: 'triton-echo', probe: TRITON_ECHO },
    mlp: { path: '/v2/models/mlp/infer', script: 'triton-mlp', probe: TRITON_MLP },
    command: (python, job) => [python, [join(PEERS_DIR, 'pytriton', `${job}.py`)]],
  },
  {
    key: 'litserve',
    name: 'LitServe',
    distribution: 'litserve',
    echo: { path: '/inference', script: 'echo', probe: '{"time":0}' },
    mlp: { path: '/inference', script: 'mlp', probe: JSON.stringify({ features: MLP_ROW }) },
    command: (python, job) => [python, [join(PEERS_DIR, 'litserve', `${job}.py`)]],
  },
  {
    key: 'bentoml',
    name: 'BentoML',
    distribution: 'bentoml',
    echo: { path: '/inference', script: 'echo-batch', probe: '{"time":[0]}' },
    mlp: { path: '/inference', script: 'mlp-batch', probe: JSON.stringify({ features: [MLP_ROW] }) },
    // `bentoml serve` is how BentoML runs a service; it takes the port as an argument.
    command: (python, job) => [
      'sh',
      ['-c', 'exec "$0" -m bentoml serve "$1" --working-dir "$2" --host 127.0.0.1 --port "$PORT"',
        python, job === 'echo' ? 'echo:Echo' : 'mlp:MlpService', join(PEERS_DIR, 'bentoml')],
    ],
  },
];

/**
 * The peers to run: BENCH_PEERS (comma list of keys, or `none`), by default every installed one.
 * Returns { peers: [{ ...peer, python, version }], skipped: [lines saying why] }.
 */
function selectPeers(wanted = process.env.BENCH_PEERS) {
  const keys = PEERS.map((peer) => peer.key);
  const asked = !wanted ? keys : wanted === 'none' ? [] : wanted.split(',').map((key) => key.trim()).filter(Boolean);
  const unknown = asked.filter((key) => !keys.includes(key));
  if (unknown.length) throw new Error(`BENCH_PEERS: unknown ${unknown.join(', ')} (known: ${keys.join(', ')}, or none)`);
  const peers = [];
  const skipped = [];
  for (const peer of PEERS.filter((candidate) => asked.includes(candidate.key))) {
    const python = venvPython(peer.key);
    const version = python && versionIn(python, peer.distribution);
    if (version) peers.push({ ...peer, python, version });
    else skipped.push(`${peer.name} is not installed (bash bench/setup.sh): its columns are empty`);
  }
  return { peers, skipped };
}

module.exports = { PEERS, selectPeers, venvPython, versionIn };
