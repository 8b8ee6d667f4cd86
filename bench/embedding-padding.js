#!/usr/bin/env node
// Padding of the embedding model's batches, before and after grouping by length: batches of 64
// sentences of 1 to 120 words, in arrival order, run as one tensor padded to the longest ("one run")
// or as `groupByLength` groups (what the embedding stage does). Prints padded tokens over real tokens
// and the model's time for both on the same batches. Needs `npm run build` and the model (`npm ci`).
const { join } = require('node:path');
const { plainTable } = require('./lib/table');
const { median } = require('./lib/stats');

const dist = join(__dirname, '..', 'dist');
const { readModelDirectory, TextTokenizer, SentenceEncoder, groupByLength, paddedTokens } = require(join(dist, 'libs/mosec/src/transformers'));
const { embeddingModel } = require(join(dist, 'examples/embedding/embedding-model'));
const reference = require('../test/fixtures/embeddings/reference.json');

const BATCHES = Number(process.env.BATCHES ?? 8);
const BATCH = 64;

/** A fixed pseudo-random sequence (the same batches every run). */
function seeded(seed) {
  return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

async function main() {
  const model = embeddingModel();
  const tokenizer = TextTokenizer.load(model);
  const words = reference.cases.flatMap((c) => c.text.split(/\s+/)).filter(Boolean);
  const random = seeded(7);
  const sentence = () => Array.from({ length: 1 + Math.floor(random() ** 2 * 120) }, () => words[Math.floor(random() * words.length)]).join(' ');
  const batches = Array.from({ length: BATCHES }, () => Array.from({ length: BATCH }, () => tokenizer.encode(sentence()).ids));

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
  console.log(`${BATCHES} batches of ${BATCH} sentences (1 to 120 words), ${real} real tokens; ${readModelDirectory(model.dir).name}`);
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
