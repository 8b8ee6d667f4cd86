import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { MosecConfig } from '@mosec/nest';
import { prepareMlpModel } from '../examples/mlp/mlp-model';
import { AppModule } from './app.module';

async function bootstrap(): Promise<void> {
  // The MLP's model is generated from a fixed seed; it must exist before the workers start.
  prepareMlpModel();
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter());
  // SIGTERM/SIGINT: drain in-flight requests, stop the workers, exit 0.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  const { port, address } = app.get(MosecConfig);
  await app.listen(port, address);
}
void bootstrap();
