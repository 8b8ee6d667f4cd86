/**
 * Structural checks of an OpenAPI 3.0 document, the parts a client generator or Swagger UI relies on:
 * version, info, paths and operations, responses, media types, schemas, unique operation ids, and
 * every local `$ref` resolving. Returns what is wrong (empty when nothing is).
 */
export function openApiProblems(document: any): string[] {
  const problems: string[] = [];
  const fail = (where: string, what: string) => problems.push(`${where}: ${what}`);
  if (typeof document?.openapi !== 'string' || !/^3\.0\.\d+$/.test(document.openapi)) fail('openapi', `not 3.0.x: ${document?.openapi}`);
  if (typeof document?.info?.title !== 'string' || typeof document?.info?.version !== 'string') fail('info', 'title and version must be strings');
  if (!isObject(document?.paths)) return [...problems, 'paths: missing'];

  const methods = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
  const pathItemKeys = new Set([...methods, 'summary', 'description', 'servers', 'parameters', '$ref']);
  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries<any>(document.paths)) {
    if (!path.startsWith('/')) fail(path, 'path must start with /');
    for (const [key, operation] of Object.entries<any>(item)) {
      const where = `${key.toUpperCase()} ${path}`;
      if (!pathItemKeys.has(key)) fail(where, 'unknown path item field');
      if (!methods.has(key)) continue;
      if (operation.operationId !== undefined) {
        if (operationIds.has(operation.operationId)) fail(where, `duplicate operationId ${operation.operationId}`);
        operationIds.add(operation.operationId);
      }
      if (operation.requestBody !== undefined) checkContent(operation.requestBody.content, `${where} requestBody`, fail, true);
      if (!isObject(operation.responses) || Object.keys(operation.responses).length === 0) fail(where, 'no responses');
      for (const [status, response] of Object.entries<any>(operation.responses ?? {})) {
        if (status !== 'default' && !/^[1-5](\d\d|XX)$/.test(status)) fail(`${where} ${status}`, 'not a status code');
        if (response.$ref) continue;
        if (typeof response.description !== 'string') fail(`${where} ${status}`, 'response needs a description');
        if (response.content !== undefined) checkContent(response.content, `${where} ${status}`, fail, false);
      }
    }
  }
  for (const [name, schema] of Object.entries<any>(document.components?.schemas ?? {})) checkSchema(schema, `schema ${name}`, fail);
  for (const ref of refsIn(document)) {
    if (!ref.startsWith('#/') || resolve(document, ref) === undefined) fail('$ref', `${ref} does not resolve`);
  }
  return problems;
}

const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object']);

function checkContent(content: any, where: string, fail: (where: string, what: string) => void, required: boolean): void {
  if (!isObject(content) || (required && Object.keys(content).length === 0)) return fail(where, 'content must map media types');
  for (const [type, media] of Object.entries<any>(content)) {
    if (!/^[\w.+-]+\/[\w.+*-]+$/.test(type)) fail(where, `bad media type ${type}`);
    if (!isObject(media)) fail(`${where} ${type}`, 'media type object expected');
    else if (media.schema !== undefined) checkSchema(media.schema, `${where} ${type}`, fail);
  }
}

function checkSchema(schema: any, where: string, fail: (where: string, what: string) => void): void {
  if (!isObject(schema)) return fail(where, 'schema must be an object');
  if (schema.$ref) return;
  if (schema.type !== undefined && !TYPES.has(schema.type)) fail(where, `bad type ${schema.type}`);
  if (schema.type === 'array' && schema.items === undefined) fail(where, 'array without items');
  if (schema.required !== undefined && !(Array.isArray(schema.required) && schema.required.every((r: unknown) => typeof r === 'string'))) fail(where, 'required must list names');
  if (schema.items !== undefined) checkSchema(schema.items, `${where}[]`, fail);
  for (const [name, property] of Object.entries<any>(schema.properties ?? {})) checkSchema(property, `${where}.${name}`, fail);
}

function refsIn(value: any, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((item) => refsIn(item, found));
  else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string') found.push(item);
      else refsIn(item, found);
    }
  }
  return found;
}

function resolve(document: any, ref: string): unknown {
  return ref
    .slice(2)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((node: any, part) => (node === undefined ? undefined : node[part]), document);
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
