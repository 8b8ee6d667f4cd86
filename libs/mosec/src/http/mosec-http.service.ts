import { Inject, Injectable, Logger, OnModuleInit, Optional, Type } from '@nestjs/common';
import { AbstractHttpAdapter, HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { CLIENT_GONE, SubmitOptions } from '../engine/engine';
import type { Task } from '../engine/task';
import { PipelineError } from '../pipeline-error';
import { MosecConfig } from '../config/mosec-config';
import { PRIORITY_HEADER, priorityLevel } from '../gateway/admission';
import { PipelineGateway, refusalError } from '../gateway/pipeline-gateway';
import { PIPELINE_ROUTE_CONFIG } from '../mosec.constants';
import { ANSWERS, MESSAGES } from '../mosec.messages';
import { pickHeaders } from '../protocol/request-headers';
import { compressAnswer, compressionSummary } from './answer-compression';
import { browserFormRefusal, codecFlagsFor, responseContentType } from './content-types';
import type { PipelineRoute } from '../gateway/pipeline-route';
import { readPipelineBody, restoreBodyHeaders } from './pipeline-body';
import { mib } from './limit-log';
import { RequestAdmission } from './request-admission';
import { closeConnections, limitServer } from './server-limits';
import { EventStream } from './sse';
import { limitWrite } from './write-timeout';

const EMPTY = Buffer.alloc(0);
const TEXT = 'text/plain; charset=utf-8';
/** After the HTTP server starts closing (the requests are drained by then), connections kept open by their clients are cut. */
const CLOSE_GRACE_MS = 1000;

/**
 * The HTTP side of the service, on the application's Fastify instance. Pipeline routes are Nest routes
 * (controllers made per pipeline, so guards, interceptors, filters, the global prefix and versioning
 * reach them); this gives them what a content-type parser cannot: their body as bytes with mosec's
 * limits, compressed answers (when compression is on), and an answer count for the metrics. It also
 * serves the readiness check and the metrics, and answers the pipeline routes' requests.
 */
@Injectable()
export class MosecHttp implements OnModuleInit {
  private readonly logger = new Logger('Mosec');
  private fastify?: FastifyInstance;
  private wrongAdapter = false;
  /** What the application serves of ours, as routed (prefix and version included). */
  private readonly served: string[] = [];
  readonly admission: RequestAdmission;

  constructor(
    private readonly config: MosecConfig,
    private readonly gateway: PipelineGateway,
    @Optional() @Inject(HttpAdapterHost) adapterHost?: HttpAdapterHost,
  ) {
    this.admission = new RequestAdmission(gateway.admission, config.maxRequestSize);
    // Set before the routes are registered: at creation (NestFactory.create), or later by a testing
    // module's createNestApplication(); never in an application context, which has no HTTP at all.
    adapterHost?.init$.subscribe(() => this.attach(adapterHost.httpAdapter));
  }

  private attach(adapter: AbstractHttpAdapter | null | undefined): void {
    if (!adapter) return; // an application context: no HTTP
    if (adapter.getType() !== 'fastify') {
      this.wrongAdapter = true;
      return;
    }
    const fastify = adapter.getInstance<FastifyInstance>();
    this.fastify = fastify;
    fastify.addHook('onRoute', (route) => {
      const pipeline = route.config?.[PIPELINE_ROUTE_CONFIG as keyof typeof route.config] as Type<unknown> | undefined;
      if (pipeline) this.hookPipelineRoute(route, this.gateway.route(pipeline));
    });
    // Every answer's, the application's own routes' too: a client that never reads holds them all alike.
    fastify.addHook('onSend', limitWrite(this.config.writeTimeout));
    fastify.addHook('preClose', (done) => {
      closeConnections(fastify.server, CLOSE_GRACE_MS);
      done();
    });
  }

  onModuleInit(): void {
    if (this.wrongAdapter) throw new Error(MESSAGES.needsFastify);
    const fastify = this.fastify;
    if (!fastify) return;
    if (this.config.compression) this.logger.log(compressionSummary());
    if (!this.config.guardProbes) this.registerProbes(fastify);
    const { headersTimeout, readTimeout, idleTimeout, maxConnections, maxStreamResets } = this.config;
    const workers = this.gateway.state.workerCount;
    const limits = limitServer(fastify.server, { headersTimeout, readTimeout, idleTimeout, maxConnections, workers, maxStreamResets });
    fastify.addHook('onListen', (done) => {
      const where = fastify.server.address();
      const url = where && typeof where === 'object' ? `http://${where.address}:${where.port}` : String(where);
      this.logger.log(`listening on ${url}: ${this.served.join(', ')}`);
      const fds = limits.fdLimit === undefined ? '' : ` (open-files limit ${limits.fdLimit})`;
      this.logger.log(
        `at most ${limits.maxConnections} connections${fds}, ${mib(this.config.maxBytesInFlight)} of request bodies in flight; ` +
          `${limits.timeouts}, an answer taken within ${this.config.writeTimeout} ms`,
      );
      done();
    });
  }

  /** Answers a pipeline route's request: the last stage's bytes (200), or a thrown `PipelineError`. */
  answer(route: PipelineRoute, request: FastifyRequest, reply: FastifyReply): Promise<Buffer> | undefined {
    const unavailable = this.gateway.admission.serving();
    if (unavailable) throw refusalError(unavailable);
    const formRefusal = route.ownDecoding ? undefined : browserFormRefusal(request.headers['content-type'], request.headers.origin);
    if (formRefusal) throw new PipelineError(415, formRefusal);
    const codecFlags = codecFlagsFor(request.headers['content-type'], request.headers.accept, route.codec);
    const body = Buffer.isBuffer(request.body) ? request.body : EMPTY;
    const headers = route.headers.length > 0 ? pickHeaders(request.headers, route.headers) : undefined;
    // Checked already, when the request was admitted.
    const priority = priorityLevel(request.headers[PRIORITY_HEADER]);
    const options = { headers, priority };
    if (!route.validate) return this.submit(route, body, codecFlags, reply, options);
    return route.validate(body, codecFlags).then((checked) => {
      if ('payload' in checked) return this.submit(route, checked.payload, codecFlags, reply, options);
      throw new PipelineError(checked.status, checked.body, checked.type);
    }) as Promise<Buffer>;
  }

  /** The readiness answer: 200 when every worker is ready, 503 while draining. */
  readiness(): string {
    if (!this.gateway.state.ready) throw refusalError(this.gateway.admission.unavailable());
    return ANSWERS.ready;
  }

  private submit(route: PipelineRoute, body: Buffer, codecFlags: number, reply: FastifyReply, options: SubmitOptions): Promise<Buffer> | undefined {
    // Gone before it reached a queue (an HTTP/2 stream reset as soon as opened): no work is queued for it.
    if (isClientGone(reply)) throw new PipelineError(CLIENT_GONE, ANSWERS.clientGone);
    if (route.stream) {
      const stream = new EventStream(reply);
      const task = this.gateway.submit(route, body, codecFlags, stream.finish, { ...options, onEvent: stream.message });
      stream.open();
      this.watchClient(task, reply);
      return undefined;
    }
    return new Promise<Buffer>((resolve, reject) => {
      const task = this.gateway.submit(
        route,
        body,
        codecFlags,
        (status, data) => {
          if (status !== 200) return reject(new PipelineError(status, data.toString()));
          reply.type(route.responseType ?? responseContentType(codecFlags));
          resolve(Buffer.isBuffer(data) ? data : Buffer.from(data));
        },
        options,
      );
      this.watchClient(task, reply);
    });
  }

  /** A client that goes away before its answer: its task is dropped from whatever queue holds it. */
  private watchClient(task: Task, reply: FastifyReply): void {
    reply.raw.once('close', () => {
      // writableEnded: an HTTP/2 answer says writableFinished once its stream is reset, answered or not.
      if (!reply.raw.writableEnded) this.gateway.cancel(task);
    });
  }

  private hookPipelineRoute(route: RouteOptions, pipeline: PipelineRoute): void {
    route.onRequest = [...asList(route.onRequest), this.admission.admit];
    route.preParsing = [...asList(route.preParsing), readPipelineBody(this.config.maxRequestSize, this.admission)];
    route.preValidation = [restoreBodyHeaders, ...asList(route.preValidation)];
    if (!pipeline.stream && this.config.compression) route.onSend = [...asList(route.onSend), compressAnswer];
    route.onResponse = [
      ...asList(route.onResponse),
      (_request: FastifyRequest, reply: FastifyReply, done: () => void) => {
        this.gateway.answered(reply.statusCode, pipeline.path);
        done();
      },
    ];
    this.served.push(`POST ${route.url}`);
  }

  /** The readiness check and the metrics as plain routes, outside Nest's guards, prefix and versioning. */
  private registerProbes(fastify: FastifyInstance): void {
    const { readinessPath, metricsPath } = this.config;
    refuseTakenRoute(fastify, readinessPath, 'the readiness check', 'readinessPath');
    fastify.get(readinessPath, (_request, reply) => {
      if (this.gateway.state.ready) return reply.code(200).type(TEXT).send(ANSWERS.ready);
      const { status, body } = this.gateway.admission.unavailable();
      reply.code(status).type(TEXT).send(body);
    });
    this.served.push(`GET ${readinessPath}`);
    if (!this.gateway.servesMetrics) return;
    refuseTakenRoute(fastify, metricsPath, 'the Prometheus metrics', 'metricsPath');
    fastify.get(metricsPath, async (_request, reply) => {
      const { type, text } = (await this.gateway.metricsText())!;
      reply.type(type).send(text);
    });
    this.served.push(`GET ${metricsPath}`);
  }
}

function isClientGone(reply: FastifyReply): boolean {
  const raw = reply.raw as FastifyReply['raw'] & { stream?: { destroyed: boolean } };
  return raw.stream ? raw.stream.destroyed : raw.destroyed;
}

function refuseTakenRoute(fastify: FastifyInstance, path: string, purpose: string, option: string): void {
  if (fastify.hasRoute({ method: 'GET', url: path })) throw new Error(MESSAGES.routeTaken('GET', path, purpose, option));
}

function asList<T>(hooks: T | T[] | undefined): T[] {
  if (hooks === undefined) return [];
  return Array.isArray(hooks) ? hooks : [hooks];
}
