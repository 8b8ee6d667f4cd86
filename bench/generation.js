#!/usr/bin/env node
// Text generation, side by side: ours (examples/chat, continuous batching), mosec streaming the same
// ONNX graph with SSE one batch at a time (bench/peers/mosec-generation), and llama.cpp's server on
// the GGUF it was converted from (bench/peers/llama-cpp), each started afresh in every round, the
// order alternating. Every stream is greedy, with the same prompts (bench/lib/chat-prompts.js) and
// the end-of-sequence token forbidden (OpenAI's logit_bias, and vLLM's ignore_eos), so each server
// makes exactly BENCH_GEN_TOKENS tokens a stream; counted from the server's usage where it sends one,
// else by re-tokenizing the text. Per round and server:
//   - lone: one stream at a time: tokens/s (tokens over the time to [DONE]) and time to first token;
//   - 8 streams at once: their tokens over the time until the last [DONE];
//   - an 8th request's time to first token while 7 others stream, against its own lone figure;
//   - 8 clients each keeping one stream open for BENCH_GEN_SECONDS, answers of seeded lengths from 16
//     to 128 tokens (lib/sustained-streams.js): all their tokens over the time until the last ended.
// Medians over rounds; every ratio is the median of the per-round ratios. Raw rounds go to
// bench/results/generation.json, the table to bench/results/generation.md. A server that cannot be
// started (ours not built, a venv not installed) is reported and the run exits non-zero.
//
//   npm run bench:generation     (installs the venvs, builds, then runs this)
//   BENCH_ROUNDS (3), BENCH_GEN_TOKENS (64), BENCH_SERVERS (ours,mosec,llama), BENCH_ONNX_THREADS (cores),
//   BENCH_LLAMA_THREADS (BENCH_ONNX_THREADS), BENCH_GEN_SECONDS (30), BENCH_WRITE
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { loadavg } = require('node:os');
const { join } = require('node:path');
const config = require('./lib/config');
const { runBenchmark } = require('./lib/server-process');
const { median } = require('./lib/stats');
const { plainTable } = require('./lib/table');
const { streamChat } = require('./lib/chat-stream');
const { sustainedStreams, SHORTEST, LONGEST } = require('./lib/sustained-streams');
const { MODEL, selectServers, startGenerationServer } = require('./lib/generation-servers');
const { smollm2Dir } = require('../scripts/fetch-smollm2');
const PROMPTS = require('./lib/chat-prompts');

const log = (message) => process.stderr.write(`${message}\n`);
const TOKENS = Math.round(Number(process.env.BENCH_GEN_TOKENS ?? 64));
const STREAMS = 8;
const SUSTAINED_SECONDS = Number(process.env.BENCH_GEN_SECONDS ?? 30);
// A server that runs one request at a time never has 7 streaming: the 8th then goes this long after
// the first of the 7 started streaming.
const SERIAL_WAIT_MS = 3_000;

function loadTokenizer() {
  const { Tokenizer } = require('@huggingface/tokenizers');
  const read = (name) => JSON.parse(readFileSync(join(smollm2Dir(), name), 'utf8'));
  const tokenizer = new Tokenizer(read('tokenizer.json'), read('tokenizer_config.json'));
  return { tokenizer, eos: read('config.json').eos_token_id };
}

/** A stream of `maxTokens` greedy tokens for `prompt`, timed; `tokens` counted as the header says. */
async function stream(url, model, prompt, maxTokens, options) {
  const body = {
    model: MODEL,
    messages: [{ role: 'user', content: prompt }],
    max_tokens: maxTokens,
    temperature: 0,
    logit_bias: { [model.eos]: -100 },
    ignore_eos: true,
    stream_options: { include_usage: true },
  };
  const result = await streamChat(url, body, options);
  const fromUsage = result.usage?.completion_tokens;
  const tokens = fromUsage ?? model.tokenizer.encode(result.text, { add_special_tokens: false }).ids.length;
  return { ...result, tokens, counted: fromUsage === undefined ? 're-tokenized' : 'usage' };
}

const rate = (tokens, ms) => (tokens * 1000) / ms;

/** The 8th request's first token while 7 others stream, and how many of them were still running then. */
async function loadedFirstToken(url, model) {
  let firstOfSeven;
  let started = 0;
  let finished = 0;
  let resolveTrigger;
  const trigger = new Promise((resolve) => (resolveTrigger = resolve));
  const seven = PROMPTS.slice(8, 15).map((prompt) =>
    stream(url, model, prompt, TOKENS, {
      onFirstToken: () => {
        started++;
        if (started === 7) resolveTrigger('all 7 streaming');
        if (!firstOfSeven) firstOfSeven = setTimeout(() => resolveTrigger(`${SERIAL_WAIT_MS} ms after the first of 7 streamed`), SERIAL_WAIT_MS);
      },
    }).finally(() => finished++),
  );
  const why = await Promise.race([trigger, Promise.all(seven).then(() => 'the 7 ended first')]);
  clearTimeout(firstOfSeven);
  let runningAtFirstToken;
  const eighth = await stream(url, model, PROMPTS[15], TOKENS, { onFirstToken: () => (runningAtFirstToken = 7 - finished) });
  const others = await Promise.all(seven);
  return { ttftMs: eighth.ttftMs, sentWhen: why, runningAtFirstToken, streams: [...others, eighth] };
}

/** One server, started afresh: warm-up, lone streams, 8 at once, then the 8th request's first token. */
async function measure(server, model) {
  const running = await startGenerationServer(server);
  try {
    const url = running.chatUrl;
    await stream(url, model, 'Hi', 8);
    await Promise.all(PROMPTS.slice(0, STREAMS).map((prompt) => stream(url, model, prompt, 8)));

    const lone = [];
    for (const prompt of [PROMPTS[0], PROMPTS[1]]) lone.push(await stream(url, model, prompt, TOKENS));
    const began = performance.now();
    const eight = await Promise.all(PROMPTS.slice(0, STREAMS).map((prompt) => stream(url, model, prompt, TOKENS)));
    const eightMs = performance.now() - began;
    const loneEighth = await stream(url, model, PROMPTS[15], TOKENS);
    const loaded = await loadedFirstToken(url, model);
    const sustained = await sustainedStreams((prompt, maxTokens) => stream(url, model, prompt, maxTokens), { clients: STREAMS, seconds: SUSTAINED_SECONDS });

    const all = [...lone, ...eight, loneEighth, ...loaded.streams];
    const summary = {
      loneTokensPerSecond: median(lone.map((run) => rate(run.tokens, run.totalMs))),
      loneTtftMs: median(lone.map((run) => run.ttftMs)),
      eightTokensPerSecond: rate(eight.reduce((sum, run) => sum + run.tokens, 0), eightMs),
      eightTtftMs: median(eight.map((run) => run.ttftMs)),
      eighthLoneTtftMs: loneEighth.ttftMs,
      eighthLoadedTtftMs: loaded.ttftMs,
      eighthSentWhen: loaded.sentWhen,
      runningAtEighthFirstToken: loaded.runningAtFirstToken,
      tokensPerStream: [Math.min(...all.map((run) => run.tokens)), Math.max(...all.map((run) => run.tokens))],
      counted: [...new Set(all.map((run) => run.counted))].join(', '),
      sustainedTokensPerSecond: sustained.tokensPerSecond,
      sustainedRequests: sustained.requests,
      sustainedShort: sustained.short,
    };
    log(
      `  ${server.key}: lone ${summary.loneTokensPerSecond.toFixed(1)} tokens/s, first token ${summary.loneTtftMs.toFixed(0)} ms; ` +
        `8 streams ${summary.eightTokensPerSecond.toFixed(1)} tokens/s; 8th first token ${summary.eighthLoadedTtftMs.toFixed(0)} ms ` +
        `(alone ${summary.eighthLoneTtftMs.toFixed(0)} ms; sent when ${loaded.sentWhen}, ${loaded.runningAtFirstToken} of 7 running at its first token); ` +
        `tokens a stream ${summary.tokensPerStream.join('-')} (${summary.counted}); ` +
        `${STREAMS} clients for ${SUSTAINED_SECONDS} s: ${sustained.tokensPerSecond.toFixed(1)} tokens/s, ${sustained.requests} answers (${sustained.short} short) in ${(sustained.ms / 1000).toFixed(1)} s`,
    );
    const raw = (run) => ({ tokens: run.tokens, ttftMs: run.ttftMs, totalMs: run.totalMs, finishReason: run.finishReason });
    return {
      summary,
      raw: { lone: lone.map(raw), eight: eight.map(raw), eightMs, loneEighth: raw(loneEighth), loaded: { ...loaded, streams: loaded.streams.map(raw) }, sustained },
    };
  } finally {
    await running.stop();
  }
}

const fixed = (value, digits) => (value === undefined || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits));

/** Medians per server, and the ratios (medians of per-round ratios) the targets are about. */
function figures(servers, runs) {
  const measured = (key) => runs[key].filter(Boolean).map((run) => run.summary);
  const each = (pick) => Object.fromEntries(servers.map(({ key }) => [key, median(measured(key).map(pick))]));
  const against = (key, other, pick) =>
    runs[key] && runs[other] ? median(runs[key].map((run, i) => (run && runs[other][i] ? pick(run.summary) / pick(runs[other][i].summary) : undefined))) : undefined;
  const eight = (summary) => summary.eightTokensPerSecond;
  const lone = (summary) => summary.loneTokensPerSecond;
  const sustained = (summary) => summary.sustainedTokensPerSecond;
  return {
    loneTokensPerSecond: each(lone),
    loneTtftMs: each((s) => s.loneTtftMs),
    eightTokensPerSecond: each(eight),
    eightOverLone: each((s) => s.eightTokensPerSecond / s.loneTokensPerSecond),
    eighthLoneTtftMs: each((s) => s.eighthLoneTtftMs),
    eighthLoadedTtftMs: each((s) => s.eighthLoadedTtftMs),
    eighthTtftRatio: each((s) => s.eighthLoadedTtftMs / s.eighthLoneTtftMs),
    tokensPerStream: Object.fromEntries(servers.map(({ key }) => [key, measured(key).flatMap((s) => s.tokensPerStream)])),
    oursOverMosecEight: against('ours', 'mosec', eight),
    oursOverLlamaEight: against('ours', 'llama', eight),
    oursOverLlamaLone: against('ours', 'llama', lone),
    sustainedTokensPerSecond: each(sustained),
    sustainedShort: Object.fromEntries(servers.map(({ key }) => [key, measured(key).reduce((sum, s) => sum + s.sustainedShort, 0)])),
    oursOverMosecSustained: against('ours', 'mosec', sustained),
    oursOverLlamaSustained: against('ours', 'llama', sustained),
    oursOverBeforeLone: against('ours', 'before', lone),
    oursOverBeforeEight: against('ours', 'before', eight),
    oursOverBeforeSustained: against('ours', 'before', sustained),
  };
}

function report(servers, f) {
  const verdict = (value, meets) => (value === undefined || !Number.isFinite(value) ? '' : meets(value) ? 'met' : 'MISSED');
  const cells = (pick, digits) => servers.map(({ key }) => fixed(pick[key], digits));
  // A comparison of ours with another server shows in ours' column.
  const oursOnly = (value) => servers.map(({ key }) => (key === 'ours' && value !== undefined ? `${fixed(value, 2)}x` : ''));
  const tokens = servers.map(({ key }) => (f.tokensPerStream[key].length ? `${Math.min(...f.tokensPerStream[key])}-${Math.max(...f.tokensPerStream[key])}` : 'n/a'));
  const rows = [
    ['lone stream: tokens/s', ...cells(f.loneTokensPerSecond, 1), '', ''],
    ['lone stream: first token ms', ...cells(f.loneTtftMs, 0), '', ''],
    [`${STREAMS} streams at once: tokens/s, all together`, ...cells(f.eightTokensPerSecond, 1), '', ''],
    [`${STREAMS} streams / lone, tokens/s`, ...cells(f.eightOverLone, 2), '>= 4 (ours)', verdict(f.eightOverLone.ours, (v) => v >= 4)],
    [`${STREAMS} streams, tokens/s: ours / mosec SSE`, ...oursOnly(f.oursOverMosecEight), '>= 1.5', verdict(f.oursOverMosecEight, (v) => v >= 1.5)],
    [`${STREAMS} streams, tokens/s: ours / llama.cpp`, ...oursOnly(f.oursOverLlamaEight), '1 (goal)', verdict(f.oursOverLlamaEight, (v) => v >= 1)],
    ['lone stream, tokens/s: ours / llama.cpp', ...oursOnly(f.oursOverLlamaLone), '', ''],
    ['8th request: first token ms while 7 stream', ...cells(f.eighthLoadedTtftMs, 0), '', ''],
    ['8th request: first token ms alone', ...cells(f.eighthLoneTtftMs, 0), '', ''],
    ['8th request: first token, with 7 / alone', ...cells(f.eighthTtftRatio, 2), '<= 3 (ours)', verdict(f.eighthTtftRatio.ours, (v) => v <= 3)],
    ['tokens a stream (min-max, all rounds)', ...tokens, `${TOKENS}`, ''],
    [`${STREAMS} clients for ${SUSTAINED_SECONDS} s, answers ${SHORTEST}-${LONGEST} tokens: tokens/s`, ...cells(f.sustainedTokensPerSecond, 1), '', ''],
    [`${STREAMS} clients, tokens/s: ours / mosec SSE`, ...oursOnly(f.oursOverMosecSustained), '>= 1.5', verdict(f.oursOverMosecSustained, (v) => v >= 1.5)],
    [`${STREAMS} clients, tokens/s: ours / llama.cpp`, ...oursOnly(f.oursOverLlamaSustained), '1 (goal)', verdict(f.oursOverLlamaSustained, (v) => v >= 1)],
    [`${STREAMS} clients: answers short of their length`, ...servers.map(({ key }) => String(f.sustainedShort[key])), '0', ''],
  ];
  if (servers.some(({ key }) => key === 'before')) {
    rows.push(
      ['lone, tokens/s: ours / ours before', ...oursOnly(f.oursOverBeforeLone), '', ''],
      [`${STREAMS} streams, tokens/s: ours / ours before`, ...oursOnly(f.oursOverBeforeEight), '', ''],
      [`${STREAMS} clients, tokens/s: ours / ours before`, ...oursOnly(f.oursOverBeforeSustained), '', ''],
    );
  }
  return plainTable(['measure', ...servers.map((server) => server.name), 'target', ''], rows);
}

async function main() {
  const servers = selectServers();
  const model = loadTokenizer();
  const rounds = config.rounds;
  const runs = Object.fromEntries(servers.map((server) => [server.key, []]));
  const failures = [];
  const loadBefore = loadavg()[0];
  for (let round = 0; round < rounds; round++) {
    for (const server of round % 2 === 0 ? servers : [...servers].reverse()) {
      log(`round ${round + 1}: ${server.name}`);
      try {
        runs[server.key][round] = await measure(server, model);
      } catch (error) {
        log(`  ${server.key} FAILED: ${error.message}`);
        failures.push(`round ${round + 1}, ${server.name}: ${error.message.split('\n')[0]}`);
      }
    }
  }
  const summary = figures(servers, runs);
  const short = Object.entries(summary.tokensPerStream).filter(([, counts]) => counts.some((count) => count !== TOKENS));
  const header =
    `Generation (${MODEL}), ${new Date().toISOString().slice(0, 10)}: greedy, ${TOKENS} tokens a stream with the end-of-sequence ` +
    `token forbidden, ${rounds} alternating round(s), each server started afresh; ${config.onnxThreads} threads for each model ` +
    `(onnxruntime intra-op; llama.cpp: ${process.env.BENCH_LLAMA_THREADS ?? config.onnxThreads}); medians, ratios per round. Node ${process.version}; load average ` +
    `${loadBefore.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after.`;
  const notes = [
    ...failures.map((failure) => `FAILED: ${failure}`),
    ...short.map(([key]) => `${key}: some streams did not make ${TOKENS} tokens (see the row "tokens a stream"): its tokens/s are not comparable`),
  ];
  const table = report(servers, summary);
  const text = `${header}\n\n${table}\n${notes.length ? `\n${notes.join('\n')}\n` : ''}`;
  console.log(text);
  if (process.env.BENCH_WRITE !== '0') {
    mkdirSync(config.resultsDir, { recursive: true });
    writeFileSync(join(config.resultsDir, 'generation.md'), text);
    writeFileSync(join(config.resultsDir, 'generation.json'), JSON.stringify({ tokens: TOKENS, rounds, threads: config.onnxThreads, figures: summary, failures, runs }, null, 2) + '\n');
  }
  if (failures.length) {
    console.error(`\n${failures.length} server run(s) failed:\n${failures.join('\n')}`);
    process.exitCode = 1;
  }
}

runBenchmark(main);
