// A plain NestJS app on FastifyAdapter serving all-MiniLM-L6-v2 in-process (the embedding benchmark's
// baseline): the library's tokenizer and encoder, run once per request. Listens on 127.0.0.1:$PORT;
// the model directory is MOSEC_EMBEDDING_MODEL (default models/all-MiniLM-L6-v2), its threads MOSEC_ONNX_THREADS.
require('reflect-metadata');
const { join } = require('node:path');
const { Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { FastifyAdapter } = require('@nestjs/platform-fastify');
const { EmbeddingController, ENCODER } = require('./embedding.controller');

const ROOT = join(__dirname, '..', '..', '..');
const DIST = join(ROOT, process.env.MOSEC_DIST ?? 'dist');

async function bootstrap() {
  const { readModelDirectory, TextTokenizer, SentenceEncoder } = require(join(DIST, 'libs', 'mosec', 'src', 'transformers', 'index.js'));
  const model = readModelDirectory(process.env.MOSEC_EMBEDDING_MODEL || join(ROOT, 'models', 'all-MiniLM-L6-v2'));
  const encoder = { name: model.name, tokenizer: TextTokenizer.load(model), encoder: await SentenceEncoder.load(model) };
  class AppModule {}
  Module({ controllers: [EmbeddingController], providers: [{ provide: ENCODER, useValue: encoder }] })(AppModule);
  const app = await NestFactory.create(AppModule, new FastifyAdapter(), { logger: ['error', 'warn'] });
  await app.listen(Number(process.env.PORT ?? 8003), '127.0.0.1');
}

bootstrap().catch((error) => {
  console.error(error);
  process.exit(1);
});
