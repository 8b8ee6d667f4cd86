// The servers of the generation benchmark, each an OpenAI chat completions route started the same way
// (a real process on 127.0.0.1, port in MOSEC_PORT/PORT, ready once a one-token stream answers 200):
// ours (examples/chat), mosec's SSE streaming of the same graph (bench/peers/mosec-generation) and
// llama.cpp's server on the GGUF the graph was converted from (bench/peers/llama-cpp).
const { existsSync } = require('node:fs');
const { join, resolve } = require('node:path');
const config = require('./config');
const { venvPython } = require('./peers');
const { startServer } = require('./server-process');
const { smollm2Dir, modelsRoot } = require('../../scripts/fetch-smollm2');

const MODEL = 'SmolLM2-135M-Instruct';
const ROUTE = '/v1/chat/completions';
const GGUF = join(modelsRoot(), '.downloads', `${MODEL}.Q4_1.gguf`);
const THREADS = String(config.onnxThreads);
// llama.cpp's threads wait for each other by spinning: on a machine whose cores are busy with other
// work, 2 threads ran 15 times slower than 1 (one waits out the other's time slice at every barrier).
const LLAMA_THREADS = process.env.BENCH_LLAMA_THREADS ?? THREADS;

/** examples/chat of a build folder. */
const chatServer = (key, name, dist) => ({
  key,
  name,
  // Checked before every start: when it is missing, that row fails and the run exits non-zero.
  missing: () => {
    const main = join(dist, 'examples', 'chat', 'main.js');
    return existsSync(main) ? undefined : `no ${main}: run npm run build (examples/chat must exist)`;
  },
  command: () => [process.execPath, [join(dist, 'examples', 'chat', 'main.js')]],
  env: {},
});

const SERVERS = [
  chatServer('ours', 'ours (examples/chat)', config.DIST),
  {
    key: 'mosec',
    name: 'mosec SSE (Python, same graph)',
    missing: () => (venvPython('mosec-generation') ? undefined : 'no venv: run bash bench/install-venv.sh mosec-generation'),
    command: () => [venvPython('mosec-generation'), [join(__dirname, '..', 'peers', 'mosec-generation', 'server.py')]],
    // mosec answers 408 after MOSEC_TIMEOUT (3 s by default), which a batch of long answers passes.
    env: { MOSEC_ONNX_THREADS: THREADS, MOSEC_TIMEOUT: '600000', MOSEC_GENERATION_MODEL: smollm2Dir() },
  },
  {
    key: 'llama',
    name: `llama.cpp (llama-cpp-python, GGUF, ${LLAMA_THREADS} thread${LLAMA_THREADS === '1' ? '' : 's'})`,
    missing: () =>
      !venvPython('llama-cpp') ? 'no venv: run bash bench/install-venv.sh llama-cpp' : existsSync(GGUF) ? undefined : `no ${GGUF}: run npm run fetch-models`,
    // One request at a time, as its server runs; interrupt_requests (on by default) would end a
    // running stream early whenever another request arrives.
    command: () => [
      'sh',
      ['-c', 'exec "$0" -m llama_cpp.server --host 127.0.0.1 --port "$PORT" --model "$1" --model_alias "$2" --n_threads "$3" --n_threads_batch "$3" --interrupt_requests False',
        venvPython('llama-cpp'), GGUF, MODEL, LLAMA_THREADS],
    ],
    env: {},
  },
];

// BENCH_BEFORE_DIST=<folder>: another build of ours (a copy of dist/ from before a change, inside the
// repository so it finds node_modules), measured beside the others as `before`.
const BEFORE = process.env.BENCH_BEFORE_DIST;
if (BEFORE) SERVERS.push(chatServer('before', `ours before (${BEFORE})`, resolve(BEFORE)));

/** The servers named in BENCH_SERVERS (comma list of keys), by default all. */
function selectServers(wanted = process.env.BENCH_SERVERS) {
  if (!wanted) return SERVERS;
  const keys = wanted.split(',').map((key) => key.trim());
  const unknown = keys.filter((key) => !SERVERS.some((server) => server.key === key));
  if (unknown.length) throw new Error(`BENCH_SERVERS: unknown ${unknown.join(', ')} (known: ${SERVERS.map((s) => s.key).join(', ')})`);
  return SERVERS.filter((server) => keys.includes(server.key));
}

/** Starts one server; throws with the reason when it is not installed or built. */
async function startGenerationServer(server) {
  const missing = server.missing();
  if (missing) throw new Error(missing);
  const [command, args] = server.command();
  const running = await startServer({
    name: server.name,
    command,
    args,
    env: server.env,
    probe: { path: ROUTE, body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'Hi' }], max_tokens: 1, stream: true }) },
    readyTimeoutMs: 180_000,
  });
  return { ...running, chatUrl: running.url + ROUTE };
}

module.exports = { SERVERS, MODEL, GGUF, selectServers, startGenerationServer };
