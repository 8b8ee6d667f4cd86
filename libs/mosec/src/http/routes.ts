import fastifyCompress from '@fastify/compress';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CLIENT_GONE, Engine } from '../engine/engine';
import { INTERNAL_ERROR_BODY } from '../errors';
import type { Responder, Task } from '../engine/task';
import { codecFlagsFor, responseContentType } from './content-types';
import type { HttpRoute } from './http-route';
import { lingerForUpload } from './lingering-close';
import { EventStream } from './sse';

export const BODIES = {
  ok: 'MOSEC service',
  notReady: 'service is not ready',
  shuttingDown: 'gracefully shutting down',
  tooLarge: 'request body is too large',
  tooMany: 'too many request: task queue is full',
  clientGone: 'client closed the request',
} as const;

/** What the routes need to know about the service. */
export interface ServiceState {
  readonly engine: Engine;
  readonly routes: readonly HttpRoute[];
  /** Every worker started and not shutting down. */
  readonly ready: boolean;
  readonly draining: boolean;
  /** Told of every answer of a pipeline route, whoever gave it (engine, validation, 413, 429, 503). */
  onAnswer?(status: number, path: string): void;
}

const EMPTY = Buffer.alloc(0);

/** Says which route clashes and why, where fastify would only say it is "already declared". */
function refuseTakenRoute(fastify: FastifyInstance, method: 'GET' | 'POST', url: string, purpose: string): void {
  if (!fastify.hasRoute({ method, url })) return;
  throw new Error(
    `${method} ${url} is already served by the application (a Nest controller?) and MosecModule serves it as ${purpose}: ` +
      'move one of them (in a `nest new` app, remove the sample AppController)',
  );
}

/**
 * Registers the pipeline routes and `GET /` in a fastify scope of their own: its body parser hands
 * every body over as raw bytes (the first stage decodes it in its worker, unless the route checks a
 * request DTO), and neither it nor compression (gzip/br/deflate bodies accepted, answers compressed
 * when `Accept-Encoding` asks and they pass 1 KiB) leaks into the application's other routes.
 */
export function registerRoutes(fastify: FastifyInstance, state: ServiceState, maxRequestSize: number): void {
  fastify.register(async (scope) => {
    await scope.register(fastifyCompress, { threshold: 1024 });
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxRequestSize }, (_req, body, done) => done(null, body));
    scope.setErrorHandler((error: any, request, reply) => {
      const status: number = error.statusCode ?? 500;
      if (status === 413) {
        // Fastify would close the connection under a client still uploading; it reads the rest instead.
        reply.removeHeader('connection');
        lingerForUpload(request.raw, maxRequestSize);
        return reply.code(413).type('text/plain').send(BODIES.tooLarge);
      }
      if (status >= 400 && status < 500) return reply.code(status).type('text/plain').send(`bad request: ${error.message}`);
      reply.code(500).type('text/plain').send(INTERNAL_ERROR_BODY);
    });

    refuseTakenRoute(scope, 'GET', '/', 'the readiness check (200 when ready, 503 while warming up or draining)');
    scope.get('/', (_request, reply) => {
      if (state.ready) return reply.code(200).type('text/plain').send(BODIES.ok);
      reply.code(503).type('text/plain').send(state.draining ? BODIES.shuttingDown : BODIES.notReady);
    });

    for (const route of state.routes) {
      refuseTakenRoute(scope, 'POST', route.path, 'a pipeline route');
      scope.post(route.path, { bodyLimit: maxRequestSize }, (request, reply) => serve(state, route, request, reply));
    }
    const onAnswer = state.onAnswer?.bind(state);
    if (onAnswer) {
      scope.addHook('onResponse', (request, reply, done) => {
        if (request.method === 'POST' && request.routeOptions.url !== undefined) onAnswer(reply.statusCode, request.routeOptions.url);
        done();
      });
    }
  });
}

function serve(state: ServiceState, route: HttpRoute, request: FastifyRequest, reply: FastifyReply): void {
  if (!state.ready) {
    reply.code(503).type('text/plain').send(state.draining ? BODIES.shuttingDown : BODIES.notReady);
    return;
  }
  const codecFlags = codecFlagsFor(request.headers['content-type'], request.headers.accept);
  const body = Buffer.isBuffer(request.body) ? request.body : EMPTY;
  if (!route.validate) return submit(state, route, body, codecFlags, reply);
  route.validate(body, codecFlags).then(
    (checked) => {
      if ('payload' in checked) submit(state, route, checked.payload, codecFlags, reply);
      else reply.code(checked.status).type(checked.type).send(checked.body);
    },
    (error) => reply.send(error),
  );
}

function submit(state: ServiceState, route: HttpRoute, body: Buffer, codecFlags: number, reply: FastifyReply): void {
  const stream = route.stream ? new EventStream(reply) : undefined;
  const respond: Responder = stream?.finish ?? ((status, data) => {
    if (reply.raw.destroyed) return;
    const type = status !== 200 ? 'text/plain; charset=utf-8' : (route.responseType ?? responseContentType(codecFlags));
    reply.code(status).type(type).send(data);
  });
  const task = state.engine.submit(route, body, codecFlags, respond, stream?.message);
  if (!task) {
    reply.code(429).type('text/plain').send(BODIES.tooMany);
    return;
  }
  stream?.open();
  // A client that goes away before its answer: its task is dropped from whatever queue holds it.
  reply.raw.once('close', () => dropIfUnanswered(state.engine, task, reply));
}

function dropIfUnanswered(engine: Engine, task: Task, reply: FastifyReply): void {
  if (!task.finished && !reply.raw.writableFinished) engine.finish(task, CLIENT_GONE, BODIES.clientGone);
}
