// The benchmark's plain NestJS baselines, written in plain JS: a POST route whose controller gets one
// injected value, its decorators applied by hand, and the app on FastifyAdapter at 127.0.0.1:$PORT.
require('reflect-metadata');
const { Body, Controller, HttpCode, Inject, Module, Post } = require('@nestjs/common');

/** Makes `method` of `ControllerClass` answer POST `/<prefix>/<path>` with 200 and the parsed body; `token` is injected as its constructor's argument. */
function postRoute(ControllerClass, { prefix = '', path, method, token }) {
  Controller(prefix)(ControllerClass);
  Inject(token)(ControllerClass, undefined, 0);
  const descriptor = Object.getOwnPropertyDescriptor(ControllerClass.prototype, method);
  Post(path)(ControllerClass.prototype, method, descriptor);
  HttpCode(200)(ControllerClass.prototype, method, descriptor);
  Body()(ControllerClass.prototype, method, 0);
}

/** Serves `controller`, with `value` provided as `token`, on 127.0.0.1:$PORT (`defaultPort` without it). */
async function listenPlainNest({ controller, token, value, defaultPort }) {
  const { NestFactory } = require('@nestjs/core');
  const { FastifyAdapter } = require('@nestjs/platform-fastify');
  class AppModule {}
  Module({ controllers: [controller], providers: [{ provide: token, useValue: value }] })(AppModule);
  const app = await NestFactory.create(AppModule, new FastifyAdapter(), { logger: ['error', 'warn'] });
  await app.listen(Number(process.env.PORT ?? defaultPort), '127.0.0.1');
}

/** Runs `bootstrap`, exiting 1 with its error if it fails. */
function start(bootstrap) {
  bootstrap().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

module.exports = { postRoute, listenPlainNest, start };
