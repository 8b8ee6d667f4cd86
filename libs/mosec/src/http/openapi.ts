import type { INestApplication } from '@nestjs/common';
import type { AbstractHttpAdapter, ApplicationConfig, ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, getSchemaPath, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { addServicePaths, DocumentedProbes, DocumentedRoute } from './openapi-paths';

/** mosec's paths. */
export const SWAGGER_UI_PATH = 'openapi/swagger';
export const OPENAPI_JSON_PATH = 'openapi/metadata.json';

export interface OpenApiInfo {
  title?: string;
  version?: string;
  description?: string;
}

/**
 * Builds the OpenAPI document with @nestjs/swagger (the application's controllers, the pipelines'
 * among them, and the DTO schemas from `@ApiProperty`), completes the pipeline routes and adds the
 * probes, and serves it: the Swagger UI at
 * `/openapi/swagger`, the JSON at `/openapi/metadata.json`.
 *
 * @nestjs/swagger takes the Nest application, which a provider cannot inject; what it reads of it is
 * the HTTP adapter, the module container (to scan the application's controllers) and the application
 * config (versioning, global prefix), so it gets just those.
 */
export function serveOpenApi(
  nest: { adapter: AbstractHttpAdapter; modules: ModulesContainer; applicationConfig: ApplicationConfig },
  routes: DocumentedRoute[],
  info: OpenApiInfo,
  probes: DocumentedProbes,
): OpenAPIObject {
  const { adapter, modules, applicationConfig } = nest;
  const app = {
    container: { getModules: () => modules },
    getHttpAdapter: () => adapter,
    config: applicationConfig,
  } as unknown as INestApplication;
  const config = new DocumentBuilder()
    .setTitle(info.title ?? 'MOSEC service')
    .setVersion(info.version ?? '1.0.0')
    .setDescription(info.description ?? 'Model serving pipelines: dynamic batching, each stage in its own worker processes.')
    .build();
  const dtos = [...new Set(routes.flatMap((route) => [route.request, route.response]).filter((dto): dto is Function => Boolean(dto)))];
  const document = addServicePaths(SwaggerModule.createDocument(app, config, { extraModels: dtos }), routes, getSchemaPath, probes);
  SwaggerModule.setup(SWAGGER_UI_PATH, app, document, { jsonDocumentUrl: OPENAPI_JSON_PATH, raw: ['json'] });
  return document;
}
