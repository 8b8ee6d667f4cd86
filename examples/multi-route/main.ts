/**
 * Two routes, one shared batched stage (as mosec's multi_route example).
 *
 *   npm run example -- multi-route
 *   curl -X POST localhost:8000/inference --data-binary 'hello mosec'
 *   # {"length":11}
 *   node -e "const {pack, unpack} = require('msgpackr');
 *     fetch('http://localhost:8000/v1/inference', { method: 'POST',
 *       headers: { 'content-type': 'application/msgpack', accept: 'application/msgpack' },
 *       body: pack({ name: 'type check', bin: Buffer.from('hello mosec with type check') }) })
 *     .then((r) => r.arrayBuffer()).then((b) => console.log(unpack(Buffer.from(b))))"
 *   # { length: 27 }
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
