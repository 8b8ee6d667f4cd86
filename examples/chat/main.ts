/**
 * Text generation with continuous batching, under OpenAI's API.
 *
 *   npm run example -- chat
 *   curl -N localhost:8000/v1/chat/completions -H 'content-type: application/json' \
 *     -d '{"model": "SmolLM2-135M-Instruct", "stream": true, "messages": [{"role": "user", "content": "What is the capital of France?"}]}'
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
