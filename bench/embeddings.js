#!/usr/bin/env node
// The embedding example (examples/embedding, POST /v1/embeddings) against a Python mosec server of
// the same ONNX file with onnxruntime, HF `tokenizers` and dynamic batching (bench/peers/mosec-embedding)
// and against a plain Nest controller that runs the model per request (bench/servers/naive-embedding):
// vectors and token counts against the Python reference, requests/s at c=32 (one sentence a request),
// PSS of each process tree after that load, and a lone 10-word request's p50; and, for scale, what
// batching gains the model alone (bench/servers/embedding-offline.js). Alternating rounds, each
// server started afresh; every ratio is the median of the per-round ratios.
//
//   bash bench/install-venv.sh mosec-embedding && npm run build && node bench/embeddings.js
//   BENCH_ROUNDS (3), BENCH_DURATION (15 s per load), BENCH_WARMUP (2 s), BENCH_ONNX_THREADS (cores),
//   MOSEC_EMBEDDING_MODEL (models/all-MiniLM-L6-v2), MOSEC_DIST
const { execFileSync } = require('node:child_process');
const { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { loadavg, tmpdir } = require('node:os');
const { join } = require('node:path');
const config = require('./lib/config');
const { startServer, runBenchmark } = require('./lib/server-process');
const { runWrk } = require('./lib/wrk');
const { driveFetch } = require('./lib/fetch-load');
const { processTreeMemory } = require('./lib/memory');
const { median } = require('./lib/stats');
const { plainTable } = require('./lib/table');
const { benchSentences, LONE_SENTENCE } = require('./lib/sentences');
const { referenceEmbeddings, compareWithReference } = require('./lib/embedding-accuracy');

const log = (message) => process.stderr.write(`${message}\n`);
const rounds = Math.round(Number(process.env.BENCH_ROUNDS ?? 3));
const duration = Number(process.env.BENCH_DURATION ?? 15);
const CONNECTIONS = 32;
const MODEL = 'all-MiniLM-L6-v2';
const MODEL_DIR = process.env.MOSEC_EMBEDDING_MODEL ?? join(config.ROOT, 'models', MODEL);
const PYTHON = join(__dirname, '.venvs', 'mosec-embedding', 'bin', 'python');
const THREADS = String(config.onnxThreads);

const body = (text) => JSON.stringify({ input: text, model: MODEL });

const SERVERS = [
  // As it ships: its model stage shares the cores among its workers by itself.
  { key: 'ours', name: 'ours (examples/embedding)', command: process.execPath, args: [join(config.DIST, 'examples', 'embedding', 'main.js')], sharesCores: true },
  { key: 'mosec', name: 'mosec + onnxruntime (Python)', command: PYTHON, args: [join(__dirname, 'peers', 'mosec-embedding', 'server.py')] },
  // onnxruntime's default threads (the cores), as a controller that creates its session with no options.
  { key: 'naive', name: 'plain Nest controller', command: process.execPath, args: [join(__dirname, 'servers', 'naive-embedding', 'main.js')], defaultThreads: true },
];

/**
 * One server, started afresh: accuracy (one request per sentence, which also warms it), the lone
 * request at c=1 while it is quiet, then the load at c=32 and its tree's PSS right after.
 */
async function measure(server, { sentences, reference, bodies, lone }) {
  const running = await startServer({
    name: server.name,
    command: server.command,
    args: server.args,
    // mosec answers 408 after MOSEC_TIMEOUT (3 s by default): longer here, as for wrk below.
    env: { MOSEC_EMBEDDING_MODEL: MODEL_DIR, ...(server.sharesCores || server.defaultThreads ? {} : { MOSEC_ONNX_THREADS: THREADS }), MOSEC_TIMEOUT: '60000' },
    probe: { path: '/v1/embeddings', body: body(LONE_SENTENCE) },
    readyTimeoutMs: 120_000,
  });
  try {
    const url = `${running.url}/v1/embeddings`;
    const accuracy = await compareWithReference(url, sentences, reference, body);
    // A batch padded to long sentences can take seconds on a busy machine: wrk waits a minute for an answer.
    const load = (file, connections, seconds) =>
      runWrk({ url, script: 'embeddings', connections, seconds, env: { EMBEDDING_BODIES: file }, timeoutSeconds: 60 });
    const c1 = await load(lone, 1, duration);
    // The warm-up waits for its last answers, so that no backlog of it runs into the measurement.
    await driveFetch(url, { body: body(LONE_SENTENCE), headers: { 'content-type': 'application/json' } }, CONNECTIONS, config.warmup);
    const c32 = await load(bodies, CONNECTIONS, duration);
    const pss = processTreeMemory(running.pid).totalPss;
    log(
      `  ${server.key}: cosine min ${accuracy.minCosine.toFixed(5)}, tokens ${accuracy.tokensEqual}/${accuracy.count}; lone p50 ${c1.p50.toFixed(2)} ms; ` +
        `c=32 ${c32.rps.toFixed(1)} req/s (${c32.non2xx + c32.errors} failed); PSS ${pss.toFixed(0)} MiB`,
    );
    return { accuracy, c1, c32, pss };
  } finally {
    await running.stop();
  }
}

/** `value` with `digits` decimals, or n/a when nothing was measured (no answer in a whole load). */
const fixed = (value, digits) => (value === undefined || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits));

/** The model alone on the 300 sentences, in a process of its own: { single, batched } texts/s. */
function offline() {
  const script = join(__dirname, 'servers', 'embedding-offline.js');
  const env = { ...process.env, MOSEC_EMBEDDING_MODEL: MODEL_DIR, MOSEC_ONNX_THREADS: THREADS };
  return JSON.parse(execFileSync(process.execPath, [script], { env, encoding: 'utf8', timeout: 600_000 }));
}

/** What the table and bench/summary.js show: medians over rounds, ratios as medians of per-round ratios. */
function figures(runs) {
  const each = (pick) => Object.fromEntries(SERVERS.map(({ key }) => [key, median(runs[key].map(pick))]));
  const perRound = (key, pick) => runs.ours.map((run, i) => pick(run) / pick(runs[key][i]));
  const rps = (run) => run.c32.rps;
  const pss = (run) => run.pss;
  return {
    sentences: runs.ours[0].accuracy.count,
    // Accuracy: the worst round.
    minCosine: Object.fromEntries(SERVERS.map(({ key }) => [key, Math.min(...runs[key].map((run) => run.accuracy.minCosine))])),
    medianCosine: each((run) => run.accuracy.medianCosine),
    tokensEqual: Object.fromEntries(SERVERS.map(({ key }) => [key, Math.min(...runs[key].map((run) => run.accuracy.tokensEqual))])),
    loneP50: each((run) => run.c1.p50),
    rps: each(rps),
    p50: each((run) => run.c32.p50),
    pss: each(pss),
    rpsOverMosec: median(perRound('mosec', rps)),
    rpsOverNaive: median(perRound('naive', rps)),
    pssOverMosec: median(perRound('mosec', pss)),
    // Each ratio's rounds, in the order they ran.
    rounds: { rpsOverMosec: perRound('mosec', rps), rpsOverNaive: perRound('naive', rps), pssOverMosec: perRound('mosec', pss) },
    offlineSingle: median(runs.offline.map((run) => run.single)),
    offlineBatched: median(runs.offline.map((run) => run.batched)),
    offlineGain: median(runs.offline.map((run) => run.batched / run.single)),
  };
}

/** The table: each measure for the three servers, then ours against each baseline. */
function report(f) {
  const verdict = (value, meets) => (value === undefined || !Number.isFinite(value) ? '' : meets(value) ? 'met' : 'MISSED');
  const cells = (format) => SERVERS.map(({ key }) => format(key));
  // The median ratio, then each round's.
  const times = (value, rounds, target, meets) => [
    value === undefined ? 'n/a' : `${fixed(value, 2)}x (${rounds.map((r) => fixed(r, 2)).join(', ')})`,
    '',
    '',
    target,
    verdict(value, meets),
  ];
  const rows = [
    ['cosine with the Python reference, min / median', ...cells((k) => `${fixed(f.minCosine[k], 5)} / ${fixed(f.medianCosine[k], 5)}`), '>= 0.999', verdict(f.minCosine.ours, (v) => v >= 0.999)],
    ['token counts equal to the reference', ...cells((k) => `${f.tokensEqual[k]}/${f.sentences}`), 'all', verdict(f.tokensEqual.ours, (v) => v === f.sentences)],
    ['lone 10-word request, p50 ms (c=1)', ...cells((k) => fixed(f.loneP50[k], 2)), '< 10', verdict(f.loneP50.ours, (v) => v < 10)],
    [`req/s at c=${CONNECTIONS}, one sentence a request`, ...cells((k) => fixed(f.rps[k], 1)), '', ''],
    ['req/s, ours / mosec', ...times(f.rpsOverMosec, f.rounds.rpsOverMosec, '>= 1.3x', (v) => v >= 1.3)],
    ['req/s, ours / plain Nest controller', ...times(f.rpsOverNaive, f.rounds.rpsOverNaive, '>= 3x', (v) => v >= 3)],
    [`p50 ms at c=${CONNECTIONS}`, ...cells((k) => fixed(f.p50[k], 0)), '', ''],
    ['PSS MiB of the process tree after the load', ...cells((k) => fixed(f.pss[k], 0)), '', ''],
    ['PSS, ours / mosec', ...times(f.pssOverMosec, f.rounds.pssOverMosec, '<= 1.5x', (v) => v <= 1.5)],
    ['the model alone: texts/s one a run, 32 a run', `${fixed(f.offlineSingle, 1)}, ${fixed(f.offlineBatched, 1)}`, '', '', '', ''],
    ['the model alone: 32 a run / one a run', `${fixed(f.offlineGain, 2)}x`, '', '', '', ''],
  ];
  return plainTable(['measure', ...SERVERS.map((server) => server.name), 'target', ''], rows);
}

async function main() {
  for (const [what, path, hint] of [
    ['model directory', join(MODEL_DIR, 'onnx', 'model.onnx'), 'npm ci fetches it, or set MOSEC_EMBEDDING_MODEL'],
    ['reference venv', PYTHON, 'run bash bench/install-venv.sh mosec-embedding'],
    ['compiled example', SERVERS[0].args[0], 'run npm run build'],
  ]) {
    if (!existsSync(path)) throw new Error(`no ${what} at ${path}: ${hint}`);
  }
  const sentences = benchSentences();
  log(`reference vectors of ${sentences.length} sentences (Python onnxruntime + tokenizers)`);
  const reference = referenceEmbeddings(PYTHON, sentences, { MOSEC_EMBEDDING_MODEL: MODEL_DIR, MOSEC_ONNX_THREADS: THREADS });
  const folder = mkdtempSync(join(tmpdir(), 'bench-embeddings-'));
  const bodies = join(folder, 'sentences.jsonl');
  const lone = join(folder, 'lone.jsonl');
  writeFileSync(bodies, sentences.map(body).join('\n') + '\n');
  writeFileSync(lone, body(LONE_SENTENCE) + '\n');
  const loadBefore = loadavg()[0];
  const runs = { ...Object.fromEntries(SERVERS.map((server) => [server.key, []])), offline: [] };
  try {
    for (let round = 0; round < rounds; round++) {
      log(`round ${round + 1}: the model alone`);
      runs.offline.push(offline());
      log(`  ${runs.offline[round].single.toFixed(1)} texts/s one a run, ${runs.offline[round].batched.toFixed(1)} texts/s 32 a run`);
      for (const server of round % 2 === 0 ? SERVERS : [...SERVERS].reverse()) {
        log(`round ${round + 1}: ${server.name}`);
        runs[server.key].push(await measure(server, { sentences, reference, bodies, lone }));
      }
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  const header =
    `Embeddings (${MODEL}, the same ONNX file everywhere), ${new Date().toISOString().slice(0, 10)}: ${sentences.length} sentences ` +
    `of 1 to ~240 words, ${rounds} alternating round(s) x ${duration} s per load, ${THREADS} onnxruntime intra-op thread(s) per model session (ours: shared among its model stage's workers); ` +
    `medians, ratios per round; accuracy: the worst round. Node ${process.version}; load average ${loadBefore.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after.`;
  const summary = figures(runs);
  const table = report(summary);
  console.log(`${header}\n\n${table}`);
  for (const run of runs.ours) for (const miss of run.accuracy.mismatches.slice(0, 5)) log(`ours differs: ${JSON.stringify(miss)}`);
  if (process.env.BENCH_WRITE !== '0') {
    mkdirSync(config.resultsDir, { recursive: true });
    writeFileSync(join(config.resultsDir, 'embeddings.md'), `${header}\n\n${table}\n`);
    writeFileSync(join(config.resultsDir, 'embeddings.json'), JSON.stringify({ rounds, duration, connections: CONNECTIONS, threads: config.onnxThreads, figures: summary, runs }, null, 2) + '\n');
  }
}

runBenchmark(main);
