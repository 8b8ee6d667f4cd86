import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openApiProblems } from './support/openapi-check';
import { itNeeding } from './support/prerequisites';
import { RunningServer, startService } from './support/server';

const CHROMIUM = '/usr/bin/chromium';
const ERROR_STATUSES = ['400', '408', '413', '415', '422', '429', '500', '503'];

describe('OpenAPI document and Swagger UI (multi-route example)', () => {
  let server: RunningServer;
  let document: any;
  beforeAll(async () => {
    server = await startService('examples/multi-route/main.js');
    const response = await fetch(`${server.url}/openapi/metadata.json`);
    expect(response.status).toBe(200);
    document = await response.json();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('is a well-formed OpenAPI 3.0 document', () => {
    expect(openApiProblems(document)).toEqual([]);
    // The check itself catches what it claims to (so a green run means something).
    expect(openApiProblems({ ...document, paths: { '/x': { post: { responses: { '200': { $ref: '#/nowhere' } } } } } })).toEqual([
      '$ref: #/nowhere does not resolve',
    ]);
  });

  it('lists every pipeline route with every status it can answer', () => {
    for (const path of ['/inference', '/v1/inference']) {
      const operation = document.paths[path].post;
      expect(Object.keys(operation.responses).sort()).toEqual(['200', ...ERROR_STATUSES]);
      expect(operation.summary).toBe(path === '/inference' ? 'RawPreprocess → CountLength' : 'TypedPreprocess → CountLength');
    }
  });

  it('gives a DTO route its schemas, and a route without DTOs every content type it takes', () => {
    const typed = document.paths['/v1/inference'].post;
    expect(Object.keys(typed.requestBody.content)).toEqual(['application/json', 'application/msgpack']);
    expect(typed.requestBody.content['application/msgpack'].schema).toEqual({ $ref: '#/components/schemas/TypedRequest' });
    expect(typed.responses['200'].content['application/msgpack'].schema).toEqual({ $ref: '#/components/schemas/LengthResponse' });
    expect(document.components.schemas.TypedRequest.properties.bin).toMatchObject({ type: 'string', format: 'binary' });
    const raw = document.paths['/inference'].post;
    expect(Object.keys(raw.requestBody.content)).toEqual(['application/json', 'application/msgpack', 'application/octet-stream', 'text/plain']);
  });

  it('lists the reserved routes', () => {
    expect(Object.keys(document.paths['/'].get.responses)).toEqual(['200', '503']);
    expect(document.paths['/metrics'].get.responses['200'].content).toHaveProperty('text/plain');
  });

  const chromium = { present: existsSync(CHROMIUM), missing: `${CHROMIUM} is absent (apt-get install -y chromium)` };
  itNeeding(chromium, 'serves a Swagger UI page that renders the routes in headless Chromium', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'swagger-ui-'));
    const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', `--user-data-dir=${dir}`, '--virtual-time-budget=15000'];
    const url = `${server.url}/openapi/swagger`;
    try {
      const { stdout: dom } = await promisify(execFile)(CHROMIUM, [...flags, '--dump-dom', url], { timeout: 45_000, maxBuffer: 64 << 20 });
      // Rendered by swagger-ui from the JSON, not in the HTML the server sent.
      expect(dom).toContain('opblock-summary-path');
      expect(dom).toContain('/v1/inference');
      const screenshot = join(dir, 'swagger.png');
      await promisify(execFile)(CHROMIUM, [...flags, '--window-size=1280,1600', `--screenshot=${screenshot}`, url], { timeout: 45_000 });
      expect(statSync(screenshot).size).toBeGreaterThan(10_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
