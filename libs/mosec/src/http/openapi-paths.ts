import type { ContentObject, OpenAPIObject, OperationObject, PathItemObject, ReferenceObject, ResponseObject, SchemaObject } from '@nestjs/swagger';

/** What the document says about one pipeline route. */
export interface DocumentedRoute {
  path: string;
  stages: string[];
  request?: Function;
  response?: Function;
  stream: boolean;
}

/** Component name of the 422 body the HTTP process writes when a request DTO check fails. */
export const VALIDATION_FAILURE = 'MosecValidationFailure';

const VALIDATION_FAILURE_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['message', 'errors'],
  properties: {
    message: { type: 'string', example: 'request validation error' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['property', 'messages'],
        properties: {
          property: { type: 'string', description: 'path of the property, e.g. `items.0.name`', example: 'items.0.name' },
          messages: { type: 'array', items: { type: 'string' }, example: ['name must be a string'] },
        },
      },
    },
  },
};

const ANY: SchemaObject = {};
const STRING: SchemaObject = { type: 'string' };
const BINARY: SchemaObject = { type: 'string', format: 'binary' };

function text(description: string, schema: SchemaObject = STRING): ResponseObject {
  return { description, content: { 'text/plain': { schema } } };
}

/**
 * Adds the pipeline routes and the reserved routes to a document (@nestjs/swagger's scanner does not
 * see them: they are fastify routes, not Nest controllers). `refOf` names a DTO's schema component.
 */
export function addServicePaths(document: OpenAPIObject, routes: DocumentedRoute[], refOf: (dto: Function) => string, metrics: boolean): OpenAPIObject {
  document.components ??= {};
  document.components.schemas ??= {};
  document.components.schemas[VALIDATION_FAILURE] = VALIDATION_FAILURE_SCHEMA;
  document.tags = [...(document.tags ?? []), { name: 'inference', description: 'Pipelines' }, { name: 'service', description: 'Health and metrics' }];
  for (const route of routes) document.paths[route.path] = { ...document.paths[route.path], post: pipelineOperation(route, refOf) };
  document.paths['/'] = health();
  if (metrics) document.paths['/metrics'] = metricsPath();
  return document;
}

function pipelineOperation(route: DocumentedRoute, refOf: (dto: Function) => string): OperationObject {
  const schema = (dto?: Function): SchemaObject | ReferenceObject => (dto ? { $ref: refOf(dto) } : ANY);
  const request: ContentObject = route.request
    ? { 'application/json': { schema: schema(route.request) }, 'application/msgpack': { schema: schema(route.request) } }
    : {
        'application/json': { schema: ANY },
        'application/msgpack': { schema: ANY },
        'application/octet-stream': { schema: BINARY },
        'text/plain': { schema: STRING },
      };
  const ok: ResponseObject = route.stream
    ? { description: 'Server-Sent Events: one `message` event per event of the stage; an `error` event, then the end, if the request fails', content: { 'text/event-stream': { schema: STRING } } }
    : { description: 'The last stage\'s result: JSON, or msgpack when `Accept: application/msgpack`', content: { 'application/json': { schema: schema(route.response) }, 'application/msgpack': { schema: schema(route.response) } } };
  const invalid: ResponseObject = route.request
    ? {
        description: 'The body does not match the request DTO (JSON: each failing property and its messages), or a stage raised `ValidationError` (text)',
        content: { 'application/json': { schema: { $ref: `#/components/schemas/${VALIDATION_FAILURE}` } }, 'text/plain': { schema: STRING } },
      }
    : text('A stage raised `ValidationError`: `request validation error: ...`');
  return {
    tags: ['inference'],
    operationId: `post${route.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
    summary: route.stages.join(' → '),
    description: 'Bodies may be gzip, br or deflate compressed (`Content-Encoding`); answers are compressed when `Accept-Encoding` asks and they are large enough.',
    requestBody: { required: true, content: request },
    responses: {
      '200': ok,
      '400': text('The body could not be decoded (`decoding error: ...`), or a stage raised `ClientError` (`bad request: ...`)'),
      '408': text('`inference timeout`: the service timeout passed, or a stage overran its own timeout'),
      '413': text('`request body is too large`'),
      '422': invalid,
      '429': text('`too many request: task queue is full`'),
      '500': text('`inference internal error`: a stage failed (details are in the server log only)'),
      '503': text('`service is not ready` (warming up) or `gracefully shutting down`'),
    },
  };
}

function health(): PathItemObject {
  return {
    get: {
      tags: ['service'],
      operationId: 'getHealth',
      summary: 'Ready check',
      responses: {
        '200': text('Every worker is ready: `MOSEC service`'),
        '503': text('`service is not ready` (warming up) or `gracefully shutting down`'),
      },
    },
  };
}

function metricsPath(): PathItemObject {
  return {
    get: {
      tags: ['service'],
      operationId: 'getMetrics',
      summary: 'Prometheus metrics',
      responses: { '200': text('Prometheus text exposition format') },
    },
  };
}
