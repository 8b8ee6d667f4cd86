#!/usr/bin/env node
// Agreement of a served model with the plain greedy loop over the same converted graph
// (bench/lib/greedy.js, onnxruntime-node, one prompt at a time): the first 16 greedy tokens of each of
// 24 varied chat prompts (bench/lib/chat-prompts.js), the server's streamed with temperature 0. Where
// the texts differ it prints the first token that differs and how far apart the two candidates'
// logits were at that point in the reference (a margin near 0 is a near tie that fp32 round-off in
// another batch shape or kernel can flip). Ours by default; --server mosec checks the Python mosec
// reference (bench/peers/mosec-generation) the same way. Exits non-zero when the server cannot be
// started or fewer than 75% of the prompts agree.
//
//   npm run build && node bench/generation-agreement.js [--server ours|mosec] [--tokens 16]
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { parseArgs } = require('node:util');
const config = require('./lib/config');
const { runBenchmark } = require('./lib/server-process');
const { loadCausalModel, greedyGenerate, nextTokenLogits } = require('./lib/greedy');
const { streamChat } = require('./lib/chat-stream');
const { MODEL, selectServers, startGenerationServer } = require('./lib/generation-servers');
const { smollm2Dir } = require('../scripts/fetch-smollm2');
const PROMPTS = require('./lib/chat-prompts');

const TARGET = 0.75;

/**
 * Where the server's text leaves the reference's tokens: { position, reference, served } token ids
 * (served: the end-of-sequence token when the server's text stops there), or undefined if it does not.
 */
function firstDifference(model, referenceTokens, servedText) {
  const decode = (ids) => (ids.length ? model.tokenizer.decode(ids, { skip_special_tokens: true }) : '');
  for (let position = 0; position < referenceTokens.length; position++) {
    const before = decode(referenceTokens.slice(0, position));
    if (servedText.startsWith(decode(referenceTokens.slice(0, position + 1)))) continue;
    const rest = servedText.slice(before.length);
    const served = rest ? model.tokenizer.encode(rest, { add_special_tokens: false }).ids[0] : model.config.eos_token_id;
    return { position, reference: referenceTokens[position], served };
  }
  // Every reference token is in the text: it differs only if the server went on where the reference stopped.
  return servedText === decode(referenceTokens) ? undefined : { position: referenceTokens.length, reference: model.config.eos_token_id, served: undefined };
}

async function main() {
  const { values } = parseArgs({ options: { server: { type: 'string', default: 'ours' }, tokens: { type: 'string', default: '16' } } });
  const tokens = Number(values.tokens);
  const [server] = selectServers(values.server);
  const model = await loadCausalModel(smollm2Dir(), { threads: config.onnxThreads });
  const prompts = PROMPTS.map((prompt) => model.chatPrompt(prompt));
  const reference = [];
  for (const prompt of prompts) reference.push((await greedyGenerate(model, [prompt], { maxNewTokens: tokens })).tokens[0]);

  const served = [];
  const running = await startGenerationServer(server);
  try {
    for (const prompt of PROMPTS) {
      const body = { model: MODEL, messages: [{ role: 'user', content: prompt }], max_tokens: tokens, temperature: 0 };
      served.push((await streamChat(running.chatUrl, body)).text);
    }
  } finally {
    await running.stop();
  }

  const lines = [];
  let agreeing = 0;
  for (const [i, text] of served.entries()) {
    const difference = firstDifference(model, reference[i], text);
    if (!difference) {
      agreeing++;
      continue;
    }
    const { position, reference: expected, served: got } = difference;
    let margin = '';
    if (got !== undefined && position < reference[i].length) {
      const logits = await nextTokenLogits(model, [...prompts[i], ...reference[i].slice(0, position)]);
      margin = `, logits ${logits[expected].toFixed(3)} (reference's ${JSON.stringify(model.tokenizer.decode([expected]))}) vs ${logits[got].toFixed(3)} (served ${JSON.stringify(model.tokenizer.decode([got]))}), margin ${(logits[expected] - logits[got]).toFixed(3)}`;
    }
    const reference16 = model.tokenizer.decode(reference[i], { skip_special_tokens: true });
    lines.push(`- prompt ${i + 1} ${JSON.stringify(PROMPTS[i])}: differs at token ${position}${margin}\n  reference ${JSON.stringify(reference16)}\n  served    ${JSON.stringify(text)}`);
  }
  const share = agreeing / PROMPTS.length;
  const verdict = share >= TARGET ? 'met' : 'MISSED';
  const text =
    `Greedy agreement, ${server.name} against the plain greedy loop over the same graph (onnxruntime-node, one prompt at a time), ` +
    `${new Date().toISOString().slice(0, 10)}: the first ${tokens} tokens equal for ${agreeing} of ${PROMPTS.length} prompts ` +
    `(${(100 * share).toFixed(0)}%; target >= ${100 * TARGET}%: ${verdict}).\n${lines.length ? `\n${lines.join('\n')}\n` : ''}`;
  console.log(text);
  if (process.env.BENCH_WRITE !== '0') {
    mkdirSync(config.resultsDir, { recursive: true });
    writeFileSync(join(config.resultsDir, `generation-agreement-${server.key}.md`), text);
  }
  if (share < TARGET) process.exitCode = 1;
}

module.exports = { firstDifference };

if (require.main === module) runBenchmark(main);
