#!/usr/bin/env node
// The plain greedy loop (bench/lib/greedy.js) over the converted SmolLM2-135M-Instruct: time per
// token of one sequence alone and of 8 sequences in one batch, decode steps only (the prefill is
// reported apart), best and median of a few runs, since the machine is shared. With --compare, the
// share of 24 chat prompts whose first 16 greedy tokens are the same with both models.
//
//   node bench/generation-reference.js [--runs 3] [--tokens 32] [--threads 2] [--model DIR] [--compare DIR]

const { parseArgs } = require('node:util');
const { loadCausalModel, greedyGenerate } = require('./lib/greedy');
const { plainTable } = require('./lib/table');
const { smollm2Dir } = require('../scripts/fetch-smollm2');

const PROMPTS = require('./lib/chat-prompts');

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '3' },
      tokens: { type: 'string', default: '32' },
      threads: { type: 'string', default: '2' },
      model: { type: 'string', default: smollm2Dir() },
      compare: { type: 'string' },
    },
  });
  if (values.compare) return compare(await first16(values.model, Number(values.threads)), await first16(values.compare, Number(values.threads)));
  const runs = Number(values.runs);
  const maxNewTokens = Number(values.tokens);
  const model = await loadCausalModel(values.model, { threads: Number(values.threads) });
  const prompts = PROMPTS.map((prompt) => model.chatPrompt(prompt));
  // Warm-up: the first runs of a session allocate and pick kernels.
  await greedyGenerate(model, [prompts[0]], { maxNewTokens: 4 });
  await greedyGenerate(model, prompts, { maxNewTokens: 4 });

  const rows = [];
  for (const batch of [1, 8]) {
    const perStep = [];
    const prefill = [];
    for (let run = 0; run < runs; run++) {
      // Every sequence runs the full count, so each step serves the whole batch.
      const { forwardMs } = await greedyGenerate(model, prompts.slice(0, batch), { maxNewTokens, stopAtEos: false });
      prefill.push(forwardMs[0]);
      const decode = forwardMs.slice(1);
      perStep.push(decode.reduce((sum, ms) => sum + ms, 0) / decode.length);
    }
    const step = median(perStep);
    rows.push([
      batch,
      Math.min(...perStep).toFixed(1),
      step.toFixed(1),
      (step / batch).toFixed(1),
      ((1000 * batch) / step).toFixed(0),
      median(prefill).toFixed(0),
    ]);
  }
  console.log(`greedy loop, ${maxNewTokens} tokens, ${values.threads} threads, ${runs} runs, ${values.model}`);
  console.log(plainTable(['sequences', 'best ms/step', 'median ms/step', 'ms/token', 'tokens/s', 'prefill ms'], rows));
}

/** The first 16 greedy tokens of every prompt, 8 prompts to a batch. */
async function first16(dir, threads) {
  const model = await loadCausalModel(dir, { threads });
  const prompts = PROMPTS.map((prompt) => model.chatPrompt(prompt));
  const tokens = [];
  for (let i = 0; i < prompts.length; i += 8) {
    tokens.push(...(await greedyGenerate(model, prompts.slice(i, i + 8), { maxNewTokens: 16 })).tokens);
  }
  return { name: dir, tokens, decode: (ids) => model.tokenizer.decode(ids, { skip_special_tokens: true }) };
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
