import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { MosecConfig } from '@mosec/nest';
import { AppModule } from './app.module';
import { prepareMlpModel } from './mlp-model';

async function bootstrap(): Promise<void> {
  // The model file must exist before the workers start; they find it through MLP_MODEL_PATH.
  prepareMlpModel();
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter());
  // SIGTERM/SIGINT: drain in-flight requests, stop the workers, exit 0.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  const { port, address } = app.get(MosecConfig);
  await app.listen(port, address);
}
void bootstrap();
