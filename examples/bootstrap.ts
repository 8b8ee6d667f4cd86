import 'reflect-metadata';
import type { Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { MosecConfig } from '@mosec/nest';

/**
 * What every example's `main.ts` does, as a `nest new` app's would: a Fastify application of the
 * module, drained on SIGTERM/SIGINT (in-flight requests finish, the workers stop, exit 0), listening
 * where `MosecConfig` says (`--port`, `MOSEC_PORT`, the module option).
 */
export async function bootstrap(module: Type<unknown>): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter());
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  const { port, address } = app.get(MosecConfig);
  await app.listen(port, address);
  return app;
}
