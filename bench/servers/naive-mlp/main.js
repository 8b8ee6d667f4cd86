// A plain NestJS app on FastifyAdapter serving the MLP in-process (the P4 baseline). Listens on
// 127.0.0.1:$PORT.
require('reflect-metadata');
const { Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { FastifyAdapter } = require('@nestjs/platform-fastify');
const { loadMlpSession } = require('../mlp-session');
const { MlpController, MLP } = require('./mlp.controller');

async function bootstrap() {
  const mlp = await loadMlpSession();
  class AppModule {}
  Module({ controllers: [MlpController], providers: [{ provide: MLP, useValue: mlp }] })(AppModule);
  const app = await NestFactory.create(AppModule, new FastifyAdapter(), { logger: ['error', 'warn'] });
  await app.listen(Number(process.env.PORT ?? 8002), '127.0.0.1');
}

bootstrap().catch((error) => {
  console.error(error);
  process.exit(1);
});
