// What batching can gain for the embedding model itself, no HTTP, no processes: the library's
// tokenizer and encoder (as the example and the plain controller run them) on the benchmark's 300
// sentences, one text a run and 32 texts a run (as length groups). Prints one JSON line of texts/s.
// The model directory is MOSEC_EMBEDDING_MODEL (default models/all-MiniLM-L6-v2), its threads MOSEC_ONNX_THREADS.
const { join } = require('node:path');
const { benchSentences } = require('../lib/sentences');

const ROOT = join(__dirname, '..', '..');
const DIST = join(ROOT, process.env.MOSEC_DIST ?? 'dist');

/**
 * Texts/s one text a run and 32 texts a run, interleaved slice by slice (each slice of 32 both ways)
 * so that both meet the same load on a shared machine.
 */
async function textsPerSecond(encoder, sequences) {
  let single = 0;
  let batched = 0;
  for (let at = 0; at < sequences.length; at += 32) {
    const slice = sequences.slice(at, at + 32);
    let started = performance.now();
    for (const sequence of slice) await encoder.embed([sequence]);
    single += performance.now() - started;
    started = performance.now();
    await encoder.embed(slice);
    batched += performance.now() - started;
  }
  return { single: (sequences.length * 1000) / single, batched: (sequences.length * 1000) / batched };
}

async function main() {
  const { readModelDirectory, TextTokenizer, SentenceEncoder } = require(join(DIST, 'libs', 'mosec', 'src', 'transformers', 'index.js'));
  const model = readModelDirectory(process.env.MOSEC_EMBEDDING_MODEL || join(ROOT, 'models', 'all-MiniLM-L6-v2'));
  const tokenizer = TextTokenizer.load(model);
  const encoder = await SentenceEncoder.load(model);
  const sequences = benchSentences().map((text) => tokenizer.encode(text).ids);
  await textsPerSecond(encoder, sequences.slice(0, 32)); // warm-up
  console.log(JSON.stringify(await textsPerSecond(encoder, sequences)));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
