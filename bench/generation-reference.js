#!/usr/bin/env node
// The plain greedy loop (bench/lib/greedy.js) over the converted SmolLM2-135M-Instruct: time per
// token of one sequence alone and of 8 sequences in one batch, decode steps only (the prefill is
// reported apart), median and range of a few runs, since the machine is shared. With --compare, a
// second conversion is loaded in the same process and timed in alternation with the first (each
// pair of runs sees the same load), and the share of 24 chat prompts whose first 16 greedy tokens
// are the same with both is counted.
//
//   node bench/generation-reference.js [--runs 6] [--tokens 17] [--threads 2] [--model DIR] [--compare DIR]

const { parseArgs } = require('node:util');
const { loadCausalModel, greedyGenerate } = require('./lib/greedy');
const { plainTable } = require('./lib/table');
const { smollm2Dir } = require('../scripts/fetch-smollm2');

const PROMPTS = require('./lib/chat-prompts');
const BATCHES = [1, 8];

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Mean decode step and the prefill of one greedy run; every sequence runs the full count. */
async function timedRun(model, batch, maxNewTokens) {
  const prompts = PROMPTS.slice(0, batch).map((prompt) => model.chatPrompt(prompt));
  const { forwardMs } = await greedyGenerate(model, prompts, { maxNewTokens, stopAtEos: false });
  const decode = forwardMs.slice(1);
  return { step: decode.reduce((sum, ms) => sum + ms, 0) / decode.length, prefill: forwardMs[0] };
}

async function main() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '6' },
      tokens: { type: 'string', default: '17' },
      threads: { type: 'string', default: '2' },
      model: { type: 'string', default: smollm2Dir() },
      compare: { type: 'string' },
    },
  });
  const runs = Number(values.runs);
  const maxNewTokens = Number(values.tokens);
  const dirs = [values.model, ...(values.compare ? [values.compare] : [])];
  const models = [];
  for (const dir of dirs) models.push(await loadCausalModel(dir, { threads: Number(values.threads) }));

  // Warm-up: the first runs of a session allocate and pick kernels.
  for (const model of models) for (const batch of BATCHES) await timedRun(model, batch, 4);
  const times = models.map(() => BATCHES.map(() => []));
  for (let run = 0; run < runs; run++) {
    for (const [b, batch] of BATCHES.entries()) {
      // Alternate which model goes first, so neither always runs right after the other.
      const order = run % 2 ? [...models.keys()].reverse() : [...models.keys()];
      for (const m of order) times[m][b].push(await timedRun(models[m], batch, maxNewTokens));
    }
  }

  const rows = [];
  times.forEach((byBatch, m) =>
    byBatch.forEach((samples, b) => {
      const steps = samples.map((sample) => sample.step);
      const step = median(steps);
      const range = `${Math.min(...steps).toFixed(0)}-${Math.max(...steps).toFixed(0)}`;
      const prefill = median(samples.map((sample) => sample.prefill)).toFixed(0);
      rows.push([dirs[m], BATCHES[b], step.toFixed(1), range, (step / BATCHES[b]).toFixed(1), ((1000 * BATCHES[b]) / step).toFixed(0), prefill]);
    }),
  );
  console.log(`greedy loop, ${maxNewTokens - 1} decode steps, ${values.threads} threads, ${runs} runs`);
  console.log(plainTable(['model', 'sequences', 'median ms/step', 'range', 'ms/token', 'tokens/s', 'prefill ms'], rows));
  if (models.length === 2) {
    BATCHES.forEach((batch, b) => {
      const faster = times[0][b].filter((sample, run) => sample.step < times[1][b][run].step).length;
      console.log(`${batch} sequence(s): the first model was faster in ${faster} of ${runs} paired runs`);
    });
    compare(await first16(models[0], dirs[0]), await first16(models[1], dirs[1]));
  }
}

/** The first 16 greedy tokens of every prompt, 8 prompts to a batch. */
async function first16(model, name) {
  const prompts = PROMPTS.map((prompt) => model.chatPrompt(prompt));
  const tokens = [];
  for (let i = 0; i < prompts.length; i += 8) {
    tokens.push(...(await greedyGenerate(model, prompts.slice(i, i + 8), { maxNewTokens: 16 })).tokens);
  }
  return { name, tokens, decode: (ids) => model.tokenizer.decode(ids, { skip_special_tokens: true }) };
}

function compare(a, b) {
  let same = 0;
  a.tokens.forEach((tokens, i) => {
    const other = b.tokens[i];
    const agreeing = tokens.findIndex((token, j) => token !== other[j]);
    if (agreeing === -1 && tokens.length === other.length) return same++;
    console.log(`differs at token ${agreeing === -1 ? tokens.length : agreeing}: ${JSON.stringify(a.decode(tokens))} / ${JSON.stringify(b.decode(other))}`);
  });
  console.log(`first 16 greedy tokens equal for ${same} of ${PROMPTS.length} prompts (${a.name} vs ${b.name})`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
