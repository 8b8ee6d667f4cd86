#!/usr/bin/env node
// Padding of the embedding model's batches, before and after grouping by length: batches of BATCH (8,
// the embedding stage's largest) of the embedding benchmark's sentences (lib/sentences.js: 1 to 120
// words, a few of 180 to 240), in order, run as one tensor padded to the longest ("one run") or as
// `groupByLength` groups (what the embedding stage does). Prints padded tokens over real tokens
// and the model's time for both on the same batches. Needs `npm run build` and the model (`npm ci`).
const { join } = require('node:path');
const { plainTable } = require('./lib/table');
const { median } = require('./lib/stats');
const { benchSentences } = require('./lib/sentences');

const dist = join(__dirname, '..', 'dist');
const { readModelDirectory, TextTokenizer, SentenceEncoder, groupByLength, paddedTokens } = require(join(dist, 'libs/mosec/src/transformers'));
const { embeddingModel } = require(join(dist, 'examples/embedding/embedding-model'));

const BATCHES = Number(process.env.BATCHES ?? 8);
const BATCH = Number(process.env.BATCH ?? 8);

async function main() {
  const model = embeddingModel();
  const tokenizer = TextTokenizer.load(model);
  const sequences = benchSentences(BATCHES * BATCH).map((text) => tokenizer.encode(text).ids);
  const batches = Array.from({ length: BATCHES }, (_, b) => sequences.slice(b * BATCH, (b + 1) * BATCH));

  let real = 0;
  let oneRun = 0;
  let grouped = 0;
  for (const batch of batches) {
    const lengths = batch.map((ids) => ids.length);
    real += lengths.reduce((sum, n) => sum + n, 0);
    oneRun += paddedTokens(lengths, [lengths.map((_, i) => i)]);
    grouped += paddedTokens(lengths, groupByLength(lengths, { maxPaddedTokens: 4096 }));
  }

  const encoder = await SentenceEncoder.load(model);
  // One group of everything within a huge budget and run cost: the whole batch padded to its longest.
  const single = await SentenceEncoder.load(model, { maxPaddedTokens: Infinity, runCost: Infinity });
  const timeOf = async (enc) => {
    const times = [];
    for (const batch of batches) {
      const started = performance.now();
      await enc.embed(batch);
      times.push(performance.now() - started);
    }
    return median(times);
  };
  await timeOf(encoder); // warm-up
  const groupedMs = await timeOf(encoder);
  const oneRunMs = await timeOf(single);
  const ratio = (padded) => `${((padded / real - 1) * 100).toFixed(1)} %`;
  console.log(`${BATCHES} batches of ${BATCH} sentences (bench/lib/sentences.js), ${real} real tokens; ${readModelDirectory(model.dir).name}`);
  console.log(
    plainTable(
      ['batch run as', 'padding over real tokens', 'median ms per batch'],
      [
        ['one tensor padded to the longest', ratio(oneRun), oneRunMs.toFixed(0)],
        ['groups by length (groupByLength)', ratio(grouped), groupedMs.toFixed(0)],
      ],
    ),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
