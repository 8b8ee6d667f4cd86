import type { Type } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import type { PipelineClient } from '../client/pipeline-client';
import { getPipelineToken } from '../decorators/inject-pipeline.decorator';

/** The `PipelineClient` of each pipeline a controller calls, looked up once in the application. */
export class PipelineClients<In, Out> {
  private readonly clients = new Map<Type<unknown>, PipelineClient<In, Out>>();

  constructor(private readonly moduleRef: ModuleRef) {}

  of(pipeline: Type<unknown>): PipelineClient<In, Out> {
    let client = this.clients.get(pipeline);
    if (!client) {
      client = this.moduleRef.get(getPipelineToken(pipeline), { strict: false }) as PipelineClient<In, Out>;
      this.clients.set(pipeline, client);
    }
    return client;
  }
}
