// A plain NestJS app on FastifyAdapter serving all-MiniLM-L6-v2 in-process (the embedding benchmark's
// baseline): the library's tokenizer and encoder, run once per request. Listens on 127.0.0.1:$PORT;
// the model directory is MOSEC_EMBEDDING_MODEL (default models/all-MiniLM-L6-v2); one session with onnxruntime's default
// intra-op threads (the cores; MOSEC_ONNX_THREADS sets others).
const { join } = require('node:path');
const { listenPlainNest, start } = require('../plain-nest');
const { EmbeddingController, ENCODER } = require('./embedding.controller');

const ROOT = join(__dirname, '..', '..', '..');
const DIST = join(ROOT, process.env.MOSEC_DIST ?? 'dist');

start(async () => {
  const { readModelDirectory, TextTokenizer, SentenceEncoder } = require(join(DIST, 'libs', 'mosec', 'src', 'transformers', 'index.js'));
  const model = readModelDirectory(process.env.MOSEC_EMBEDDING_MODEL || join(ROOT, 'models', 'all-MiniLM-L6-v2'));
  const encoder = { name: model.name, tokenizer: TextTokenizer.load(model), encoder: await SentenceEncoder.load(model) };
  await listenPlainNest({ controller: EmbeddingController, token: ENCODER, value: encoder, defaultPort: 8003 });
});
