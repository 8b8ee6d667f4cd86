import type { ContentObject, OpenAPIObject, OperationObject, PathItemObject, ReferenceObject, ResponseObject, SchemaObject } from '@nestjs/swagger';

/** What the document says about one pipeline route. */
export interface DocumentedRoute {
  path: string;
  /** The name of its controller class: @nestjs/swagger names the route's operation after it. */
  controller: string;
  stages: string[];
  request?: Function;
  response?: Function;
  stream: boolean;
  codec: 'json' | 'msgpack';
}

/** Component name of the 422 body the HTTP process writes when a request DTO check fails. */
export const VALIDATION_FAILURE = 'MosecValidationFailure';

export const VALIDATION_FAILURE_SCHEMA: SchemaObject = {
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

const PRIORITY_PARAMETER = 'X-Mosec-Priority';
const ANY: SchemaObject = {};
const STRING: SchemaObject = { type: 'string' };
const BINARY: SchemaObject = { type: 'string', format: 'binary' };

function text(description: string, schema: SchemaObject = STRING): ResponseObject {
  return { description, content: { 'text/plain': { schema } } };
}

/** Where the readiness check and the metrics are served, and whether as Nest routes (`guardProbes`). */
export interface DocumentedProbes {
  readinessPath: string;
  metricsPath?: string;
  guarded: boolean;
}

/**
 * Completes what @nestjs/swagger found of the pipeline routes (they are controllers, found wherever
 * the global prefix and versioning put them) with their content types and every answer they give,
 * and adds the readiness check and the metrics. `refOf` names a DTO's schema component.
 */
export function addServicePaths(document: OpenAPIObject, routes: DocumentedRoute[], refOf: (dto: Function) => string, probes: DocumentedProbes): OpenAPIObject {
  document.components ??= {};
  document.components.schemas ??= {};
  document.components.schemas[VALIDATION_FAILURE] = VALIDATION_FAILURE_SCHEMA;
  document.tags = [...(document.tags ?? []), { name: 'inference', description: 'Pipelines' }, { name: 'service', description: 'Health and metrics' }];
  for (const route of routes) {
    for (const [item, method] of operationsOf(document, `${route.controller}_answer`)) item[method] = pipelineOperation(route, refOf, item[method]!);
  }
  if (probes.guarded) {
    for (const [item, method] of operationsOf(document, 'MosecProbesController_readiness')) item[method] = { ...item[method], ...health() };
    for (const [item, method] of operationsOf(document, 'MosecProbesController_metrics')) item[method] = { ...item[method], ...metricsOperation() };
    return document;
  }
  document.paths[probes.readinessPath] = { ...document.paths[probes.readinessPath], get: health() };
  if (probes.metricsPath) document.paths[probes.metricsPath] = { ...document.paths[probes.metricsPath], get: metricsOperation() };
  return document;
}

type Method = 'get' | 'post';

/** The operations @nestjs/swagger named `<controller>_<method>` (with `_<version>` under versioning). */
function operationsOf(document: OpenAPIObject, name: string): Array<[PathItemObject, Method]> {
  const found: Array<[PathItemObject, Method]> = [];
  for (const item of Object.values(document.paths)) {
    for (const method of ['get', 'post'] as const) {
      const id = item[method]?.operationId;
      if (id === name || id?.startsWith(`${name}_`)) found.push([item, method]);
    }
  }
  return found;
}

/** The operation of a pipeline route, over what the application's decorators gave it (`found`). */
export function pipelineOperation(
  route: DocumentedRoute,
  refOf: (dto: Function) => string,
  found: OperationObject,
  /** The 422 body's schema: the document's component, or the schema itself where there is none. */
  validationFailure: SchemaObject | ReferenceObject = { $ref: `#/components/schemas/${VALIDATION_FAILURE}` },
): OperationObject {
  const schema = (dto?: Function): SchemaObject | ReferenceObject => (dto ? { $ref: refOf(dto) } : ANY);
  // The route's default format first: what a client that sends no header gets.
  const formats = (json: ContentObject[string], msgpack: ContentObject[string]): ContentObject =>
    route.codec === 'msgpack' ? { 'application/msgpack': msgpack, 'application/json': json } : { 'application/json': json, 'application/msgpack': msgpack };
  const request: ContentObject = route.request
    ? formats({ schema: schema(route.request) }, { schema: schema(route.request) })
    : {
        ...formats({ schema: ANY }, { schema: ANY }),
        'application/octet-stream': { schema: BINARY },
        'text/plain': { schema: STRING },
      };
  const answerFormat = route.codec === 'msgpack'
    ? 'msgpack, or JSON when `Accept: application/json` (a body without `Content-Type` is msgpack too)'
    : 'JSON, or msgpack when `Accept: application/msgpack`';
  const ok: ResponseObject = route.stream
    ? { description: 'Server-Sent Events: one `message` event per event of the stage; an `error` event, then the end, if the request fails', content: { 'text/event-stream': { schema: STRING } } }
    : { description: `The last stage's result: ${answerFormat}`, content: formats({ schema: schema(route.response) }, { schema: schema(route.response) }) };
  const invalid: ResponseObject = route.request
    ? {
        description: 'The body does not match the request DTO (JSON: each failing property and its messages), or a stage raised `ValidationError` (text)',
        content: { 'application/json': { schema: validationFailure }, 'text/plain': { schema: STRING } },
      }
    : text('A stage raised `ValidationError`: `request validation error: ...`');
  return {
    // What the application's decorators gave the route (security, headers, tags), then mosec's description.
    ...found,
    tags: found.tags?.length ? found.tags : ['inference'],
    parameters: [
      // Its own, without the priority header its controller's decorators already declare.
      ...(found.parameters ?? []).filter((parameter) => !('name' in parameter && parameter.name === PRIORITY_PARAMETER)),
      {
        name: PRIORITY_PARAMETER,
        in: 'header',
        required: false,
        description: 'Served before lower levels in every stage (400 for another value)',
        schema: { type: 'string', enum: ['high', 'normal', 'low'], default: 'normal' },
      },
    ],
    operationId: `post${route.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
    summary: route.stages.join(' → '),
    description:
      'Bodies may be gzip, br or deflate compressed (`Content-Encoding`; zstd too where the server\'s Node has it). ' +
      'Answers of 1 KiB or more are compressed as `Accept-Encoding` asks when the service runs with compression on (`--compression`, `MOSEC_COMPRESSION=1`); it is off by default.',
    requestBody: { required: true, content: request },
    responses: {
      '200': ok,
      '400': text('The body could not be decoded (`decoding error: ...`), or a stage raised `ClientError` (`bad request: ...`)'),
      '408': text('`inference timeout`: the service timeout passed, or a stage overran its own timeout'),
      '413': text('`request body is too large`: over the size limit, or (with a request DTO) over a limit of keys, array elements or depth, named in the answer'),
      '415': text('`unsupported media type: ...`: a form or text body from a browser page, or a body other than JSON or msgpack with a request DTO; `bad request: unsupported Content-Encoding: ...`'),
      '422': invalid,
      '429': text('`too many request: task queue is full`'),
      '500': text('`inference internal error`: a stage failed (details are in the server log only)'),
      '503': text('`service is not ready` or `gracefully shutting down`'),
    },
  };
}

function health(): OperationObject {
  return {
    tags: ['service'],
    operationId: 'getHealth',
    summary: 'Ready check',
    responses: {
      '200': text('Every worker is ready: `MOSEC service`'),
      '503': text('`service is not ready` or `gracefully shutting down`'),
    },
  };
}

function metricsOperation(): OperationObject {
  return {
    tags: ['service'],
    operationId: 'getMetrics',
    summary: 'Prometheus metrics',
    responses: { '200': text('Prometheus text exposition format') },
  };
}
