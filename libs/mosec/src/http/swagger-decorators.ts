import type { Type } from '@nestjs/common';
import { DocumentedRoute, pipelineOperation, VALIDATION_FAILURE_SCHEMA } from './openapi-paths';

/**
 * Writes what the document says of a pipeline route (request body, content types, every answer, the
 * priority header) as @nestjs/swagger decorators on its controller, so that a document the
 * application builds itself (`SwaggerModule.createDocument(app, ...)` in `main.ts`) is as complete as
 * mosec's own. Nothing when @nestjs/swagger is not installed (an optional peer dependency).
 */
export function decorateForSwagger(controller: Type<unknown>, method: string, route: DocumentedRoute): void {
  const swagger = optionalSwagger();
  if (!swagger) return;
  const { ApiBody, ApiConsumes, ApiExtraModels, ApiHeader, ApiOperation, ApiProduces, ApiResponse, ApiTags, getSchemaPath } = swagger;
  const operation = pipelineOperation(route, getSchemaPath, { responses: {} }, VALIDATION_FAILURE_SCHEMA);
  const descriptor = Object.getOwnPropertyDescriptor(controller.prototype, method)!;
  const onMethod = (decorator: MethodDecorator) => decorator(controller.prototype, method, descriptor);
  const dtos = [route.request, route.response].filter((dto): dto is Function => Boolean(dto));
  if (dtos.length > 0) ApiExtraModels(...dtos)(controller);
  if (!Reflect.hasMetadata('swagger/apiUseTags', controller)) ApiTags(...(operation.tags ?? []))(controller);
  onMethod(ApiOperation({ summary: operation.summary, description: operation.description }));
  const request = operation.requestBody as { content: Record<string, { schema?: object }> };
  onMethod(ApiConsumes(...Object.keys(request.content)));
  onMethod(route.request ? ApiBody({ required: true, type: route.request }) : ApiBody({ required: true, schema: {} }));
  const ok = (operation.responses['200'] as { content?: Record<string, unknown> }).content ?? {};
  onMethod(ApiProduces(...Object.keys(ok)));
  for (const parameter of operation.parameters as Array<{ name: string; in: string; description?: string; schema?: object }>) {
    if (parameter.in === 'header') onMethod(ApiHeader({ name: parameter.name, description: parameter.description, required: false, schema: parameter.schema }));
  }
  for (const [status, answer] of Object.entries(operation.responses)) {
    const { description, content } = answer as { description: string; content?: Record<string, unknown> };
    onMethod(ApiResponse({ status: Number(status), description, content } as Parameters<typeof ApiResponse>[0]));
  }
}

function optionalSwagger(): typeof import('@nestjs/swagger') | undefined {
  try {
    return require('@nestjs/swagger') as typeof import('@nestjs/swagger');
  } catch {
    return undefined;
  }
}
