import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import { MosecConfig } from '../config/mosec-config';
import { MosecExplorer } from '../plan/mosec-explorer.service';

/** Serves the OpenAPI document of the pipelines and the Swagger UI (unless `openapi: false`). */
@Injectable()
export class MosecOpenApi implements OnModuleInit {
  constructor(
    private readonly config: MosecConfig,
    private readonly explorer: MosecExplorer,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(ModulesContainer) private readonly modules: ModulesContainer,
    @Inject(ApplicationConfig) private readonly applicationConfig: ApplicationConfig,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (this.config.openapi === false || adapter?.getType() !== 'fastify') return;
    const missing = OPENAPI_PACKAGES.filter((name) => !isInstalled(name));
    if (missing.length > 0) {
      new Logger('Mosec').warn(`no OpenAPI document or Swagger UI: npm install ${missing.join(' ')} to serve them (or set openapi: false)`);
      return;
    }
    const routes = this.explorer.plans.map((plan) => ({
      path: plan.path,
      controller: `${plan.module.name}Controller`,
      stages: plan.stages.map((stage) => stage.name),
      request: plan.request,
      response: plan.response,
      stream: plan.stream,
      codec: plan.codec,
    }));
    // Loaded here rather than imported: worker processes load the library too, and never serve the document.
    const { serveOpenApi } = require('./openapi') as typeof import('./openapi');
    const { readinessPath, metricsPath, guardProbes, metrics } = this.config;
    const probes = { readinessPath, metricsPath: metrics ? metricsPath : undefined, guarded: guardProbes };
    serveOpenApi({ adapter, modules: this.modules, applicationConfig: this.applicationConfig }, routes, this.config.openapi, probes);
  }
}

/** Optional peer dependencies of the document (`@nestjs/swagger`) and its UI (`@fastify/static`). */
const OPENAPI_PACKAGES = ['@nestjs/swagger', '@fastify/static'];

function isInstalled(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}
