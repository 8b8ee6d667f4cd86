/**
 * One environment per worker (as mosec's custom_env example).
 *
 *   npm run example -- env
 *   for i in 1 2 3 4; do curl -s -X POST localhost:8000/inference -d '{}' & done; wait
 *   # {"workerId":3,"initDevice":"cuda:2","device":"cuda:2","pid":...} ...
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { MosecConfig } from '@mosec/nest';
import { AppModule } from './app.module';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter());
  // SIGTERM/SIGINT: drain in-flight requests, stop the workers, exit 0.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  const { port, address } = app.get(MosecConfig);
  await app.listen(port, address);
}
void bootstrap();
