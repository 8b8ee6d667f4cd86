import { Controller, Get, HttpCode, Inject, NotFoundException, Post, Req, Res, Type } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PipelineGateway } from '../gateway/pipeline-gateway';
import { pipelineMetadata } from '../plan/pipeline-plan';
import { PIPELINE_ROUTE_CONFIG } from '../mosec.constants';
import { isStreamWorkerClass } from '../worker/stream-worker';
import type { PipelineRoute } from '../gateway/pipeline-route';
import { MosecHttp } from './mosec-http.service';
import { PipelineExceptionFilter } from './pipeline-exception.filter';

/** Metadata of a `@Pipeline` class that is about the module, not the route: not carried over. */
const MODULE_KEYS = new Set(['imports', 'providers', 'controllers', 'exports', '__module:global__', 'design:paramtypes']);
const FILTERS = '__exceptionFilters__';

/**
 * A controller for one pipeline: `POST <path>`, a Nest route like any other, so the application's
 * guards, interceptors, exception filters, global prefix and versioning reach it. Decorators on the
 * `@Pipeline` class (`@UseGuards`, `@UseInterceptors`, `@UseFilters`, `@SetMetadata`, Swagger's...)
 * are carried over as if written on the controller. Its answer is the last stage's bytes; a pipeline's
 * other answers are thrown as `PipelineError` and rendered as mosec does.
 */
export function pipelineController(pipeline: Type<unknown>): Type<unknown> {
  const { path, version, stages } = pipelineMetadata(pipeline);
  const stream = isStreamWorkerClass(stages?.[stages.length - 1]);
  // Set as fastify route config: MosecHttp knows the route by it.
  const { RouteConfig } = require('@nestjs/platform-fastify') as typeof import('@nestjs/platform-fastify');

  @Controller({ version })
  class PipelineController {
    private readonly route: PipelineRoute;

    constructor(
      @Inject(MosecHttp) private readonly http: MosecHttp,
      @Inject(PipelineGateway) gateway: PipelineGateway,
    ) {
      this.route = gateway.route(pipeline);
    }

    @Post(path)
    @HttpCode(200)
    @RouteConfig({ [PIPELINE_ROUTE_CONFIG]: pipeline })
    answer(@Req() request: FastifyRequest, @Res({ passthrough: !stream }) reply: FastifyReply): Promise<Buffer> | undefined {
      return this.http.answer(this.route, request, reply);
    }
  }
  Object.defineProperty(PipelineController, 'name', { value: `${pipeline.name}Controller` });
  carryDecorators(pipeline, PipelineController);
  return PipelineController;
}

/**
 * The readiness check and the metrics as a Nest controller (`guardProbes: true`): the application's
 * guards, interceptors, prefix and versioning reach them.
 */
export function probesController(readinessPath: string, metricsPath: string): Type<unknown> {
  @Controller()
  class MosecProbesController {
    constructor(
      @Inject(MosecHttp) private readonly http: MosecHttp,
      @Inject(PipelineGateway) private readonly gateway: PipelineGateway,
    ) {}

    @Get(readinessPath)
    readiness(@Res({ passthrough: true }) reply: FastifyReply): string {
      reply.type('text/plain; charset=utf-8');
      return this.http.readiness();
    }

    @Get(metricsPath)
    async metrics(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
      if (!this.gateway.servesMetrics) throw new NotFoundException();
      const { type, text } = (await this.gateway.metricsText())!;
      reply.type(type);
      return text;
    }
  }
  Reflect.defineMetadata(FILTERS, [new PipelineExceptionFilter()], MosecProbesController);
  return MosecProbesController;
}

/** Copies the route-level decorators of the pipeline class, with mosec's answer filter checked after its own filters. */
function carryDecorators(pipeline: Type<unknown>, controller: Type<unknown>): void {
  for (const key of Reflect.getOwnMetadataKeys(pipeline)) {
    if (MODULE_KEYS.has(key) || String(key).startsWith('mosec:')) continue;
    Reflect.defineMetadata(key, Reflect.getOwnMetadata(key, pipeline), controller);
  }
  // Nest checks a route's filters last-declared first: mosec's goes first in the list, so it comes last.
  Reflect.defineMetadata(FILTERS, [new PipelineExceptionFilter(), ...(Reflect.getOwnMetadata(FILTERS, pipeline) ?? [])], controller);
}
