import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  commandOf, descendants, fetchNode, generateApp, nodePackage, output, processesOf, readmeFiles, readmeShellLine, readmeShellRemovals, ROOT, run,
} from './support/generated-app';
import { runClients, timedPost } from './support/load';
import { scrape, total } from './support/metrics';
import { itNeeding, linuxX64 } from './support/prerequisites';
import { eventually, post, RunningServer, sleep, startCommand, waitForLog } from './support/server';
import { holdRequests, touchSource, waitForCount } from './support/watch-mode';

/**
 * What the README's "Use it in your app" section tells a person, done for real: a fresh Nest 12 app,
 * the library packed with `npm pack` and installed from its tarball, the README's files added, then
 * `npm run build && npm run start:prod`. Both kinds of app `nest new` makes: ES modules (its default)
 * and CommonJS (its other choice); the ES one also on Node 22, and then with what a Nest team adds
 * (test/fixtures/generated-app: a global ConfigModule, a catch-all exception filter, its own Swagger
 * document), in watch mode, and installed again with `npm ci` on Node 22.
 */
const SETUP_TIMEOUT = 15 * 60_000;

describe.each(['esm', 'cjs'] as const)('the packed library in a new Nest app (%s)', (moduleType) => {
  let work: string;
  let app: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), `mosec-package-${moduleType}-`));
    run('npm', ['pack', '--pack-destination', work], join(ROOT, 'libs/mosec'));
    const tarball = readdirSync(work).find((name) => /^mosec-nest-.*\.tgz$/.test(name));
    if (!tarball) throw new Error(`npm pack left no tarball in ${work}`);
    generateApp(work, 'my-service', moduleType);
    app = join(work, 'my-service');
    for (const file of readmeShellRemovals()) rmSync(join(app, file));
    for (const [file, text] of readmeFiles()) {
      mkdirSync(dirname(join(app, file)), { recursive: true });
      writeFileSync(join(app, file), text);
    }
    run('npm', ['install', join(work, tarball), '@nestjs/platform-fastify@12'], app);
    run('npm', ['run', 'build'], app);
  }, SETUP_TIMEOUT);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('is the kind of app asked for, without the optional peer dependencies', () => {
    expect(JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')).type).toBe(moduleType === 'esm' ? 'module' : undefined);
    for (const optional of ['@nestjs/swagger', 'onnxruntime-node', 'class-validator']) {
      expect(existsSync(join(app, 'node_modules', optional))).toBe(false);
    }
    const installed = JSON.parse(readFileSync(join(app, 'node_modules/@mosec/nest/package.json'), 'utf8'));
    expect(installed.name).toBe('@mosec/nest');
    expect(existsSync(join(app, 'node_modules/@mosec/nest/dist/index.d.ts'))).toBe(true);
  });

  it('is installed as a finished package: its README has install, a pipeline, the options and links; its package.json says where it lives', () => {
    const installed = join(app, 'node_modules/@mosec/nest');
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    expect(manifest.repository).toMatchObject({ type: 'git', directory: 'libs/mosec' });
    expect(manifest.homepage).toMatch(/^https:\/\//);
    expect(manifest.keywords).toEqual(expect.arrayContaining(['nestjs', 'model serving', 'batching']));
    const readme = readFileSync(join(installed, 'README.md'), 'utf8');
    expect(readme.match(/^## .*/gm)).toEqual(['## Install', '## A pipeline in 20 lines', '## Options', '## In a Nest application', '## Links']);
    expect(readme).toContain('npm install @mosec/nest @nestjs/platform-fastify');
    expect(readme).toMatch(/\| `timeout` \| `MOSEC_TIMEOUT` \| 3000 \|/);
  });

  it('serves the pipeline with npm run start:prod and stops cleanly on SIGTERM', async () => {
    const server = await startCommand('npm', ['run', 'start:prod'], { cwd: app });
    try {
      await servesThePipeline(server);
      // No @nestjs/swagger in this app: the service says so and serves no document, rather than failing.
      expect(server.logs()).toMatch(/no OpenAPI document or Swagger UI: npm install @nestjs\/swagger @fastify\/static/);
      expect((await fetch(`${server.url}/openapi/metadata.json`)).status).toBe(404);
    } finally {
      // npm does not pass SIGTERM on to the script it runs (`sh -c` dies, the service would stay), so the
      // signal goes to the service itself, as a container's init or a process manager would send it.
      const [service] = descendants(server.proc.pid!).filter((pid) => commandOf(pid) === 'node dist/main');
      process.kill(service, 'SIGTERM');
      expect(await server.exited).toBe(0);
    }
    expect(processesOf(app)).toEqual([]);
  });

  if (moduleType === 'esm') {
    itNeeding(linuxX64(nodePackage(22)), 'runs on Node 22 as well', async () => {
      const node22 = fetchNode(work, 22);
      const server = await startCommand(node22, ['dist/main'], { cwd: app });
      try {
        await servesThePipeline(server);
        const versions = (await scrape(server.url)).filter((sample) => sample.name === 'nodejs_version_info');
        expect(versions.map((sample) => sample.labels.major)).toContain('22');
      } finally {
        expect(await server.stop(20_000)).toBe(0);
      }
    }, SETUP_TIMEOUT);

    it("passes the README's tests with vitest, nest new's default: the e2e test with real workers from the sources, and the stage's unit test", () => {
      const e2e = output('npm', ['run', 'test:e2e'], app);
      expect(e2e).toMatch(/Tests\s+3 passed \(3\)/);
      const unit = output('npm', ['test'], app);
      expect(unit).toMatch(/Tests\s+1 passed \(1\)/);
      expect(processesOf(app)).toEqual([]);
    }, SETUP_TIMEOUT);

    describe('with what a Nest team adds: a global ConfigModule, a global exception filter, its own Swagger document, watch mode', () => {
      beforeAll(() => {
        run('npm', ['install', '@nestjs/config@12', '@nestjs/swagger@12', '@fastify/static', 'class-validator', 'class-transformer'], app);
        // src/checks: ChecksModule, its main.ts, and the pipelines and filter it serves.
        cpSync(join(ROOT, 'test/fixtures/generated-app'), app, { recursive: true });
        run('npm', ['run', 'build'], app);
      }, SETUP_TIMEOUT);

      describe('served', () => {
        let server: RunningServer;
        beforeAll(async () => {
          server = await startCommand(process.execPath, ['dist/checks/main'], { cwd: app, env: { GREETING: 'good day' }, readyTimeoutMs: 60_000 });
        }, 90_000);
        afterAll(async () => {
          expect(await server?.stop(20_000)).toBe(0);
        });

        it("gives the pipeline's answers to the app's global exception filter, with an X-Request-Id on each and on the log line of a 500", async () => {
          const invalid = await fetch(`${server.url}/greet`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":5}' });
          expect(invalid.status).toBe(422);
          expect(await invalid.json()).toEqual({
            statusCode: 422,
            path: '/greet',
            details: { message: 'request validation error', errors: [{ property: 'name', messages: expect.arrayContaining(['name must be a string']) }] },
          });
          expect(invalid.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
          const crash = await post(`${server.url}/greet`, { name: 'crash' }, { 'x-request-id': 'trace-42' });
          expect(crash).toMatchObject({ status: 500, body: JSON.stringify({ statusCode: 500, path: '/greet', details: 'inference internal error' }) });
          await waitForLog(server, /POST \/greet answered 500 \(x-request-id trace-42\)/);
          // A client's id that is not a safe one is replaced.
          const unsafe = await fetch(`${server.url}/`, { headers: { 'x-request-id': 'a b' } });
          expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
        });

        it("has the pipeline's request schema and its 200, 400 and 422 answers in the app's own Swagger document", async () => {
          const document = await (await fetch(`${server.url}/docs-json`)).json();
          const operation = document.paths['/greet'].post;
          expect(operation.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/GreetingRequest' });
          expect(document.components.schemas.GreetingRequest.properties.name).toMatchObject({ type: 'string', description: 'who to greet' });
          expect(operation.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/GreetingResponse' });
          expect(operation.responses['400'].description).toContain('decoding error');
          expect(operation.responses['422'].content['application/json'].schema.properties).toHaveProperty('errors');
          expect(Object.keys(document.paths['/inference'].post.responses)).toEqual(expect.arrayContaining(['200', '400', '422', '500']));
        });

        it("reaches the app's global ConfigService from a worker through the pipeline module's imports", async () => {
          expect(await post(`${server.url}/greet`, { name: 'Ada' })).toMatchObject({ status: 200, body: '{"greeting":"good day, Ada"}' });
        });
      });

      it("names why a stage cannot inject the app's global ConfigService, and the fix, when its pipeline module does not import ConfigModule", async () => {
        const server = await startCommand(process.execPath, ['dist/checks/main'], { cwd: app, env: { CHECKS_PIPELINES: 'unreachable' }, waitReady: false });
        expect(await server.exited).toBe(1);
        expect(server.logs()).toContain("argument ConfigService at index [0] is available in the UnreachableConfigPipeline module");
        expect(server.logs()).toContain(
          'a module that is global in the application (ConfigModule.forRoot({ isGlobal: true }), say) must also be in UnreachableConfigPipeline\'s @Module({ imports })',
        );
      }, 60_000);

      it('restarts 10 times under nest start --watch while requests are in flight: 10 clean starts', async () => {
        const nest = join(app, 'node_modules/@nestjs/cli/bin/nest.js');
        // A long timeout: the held requests keep each stopping instance on the port until they are let go.
        const server = await startCommand(process.execPath, [nest, 'start', '--watch', '--entryFile', 'checks/main'], {
          cwd: app, env: { CHECKS_PIPELINES: 'watch', MOSEC_TIMEOUT: '120000' }, detached: true, readyTimeoutMs: 180_000,
        });
        let loading = true;
        const load = runClients(2, Date.now() + 20 * 60_000, async () => {
          const outcome = await timedPost(`${server.url}/inference`, { numbers: [1, 2] });
          if (outcome.status === 0) await sleep(50); // between two instances: nothing listens
          return outcome;
        }, () => !loading);
        const listening = /listening on http/;
        const crashed = /address already in use [\d.:]+\s*\n/;
        let held: AbortController | undefined;
        try {
          for (let restart = 1; restart <= 10; restart++) {
            held = holdRequests(server.url, 2);
            touchSource(app, 'src/checks/hold.pipeline.ts', restart);
            // The new instance finds the port taken by the draining one, and waits for it instead of failing.
            await waitForCount(server, /address already in use [\d.:]+: trying again/, restart, 120_000, crashed);
            held.abort();
            await waitForCount(server, listening, restart + 1, 120_000, crashed);
          }
          expect(server.logs()).not.toMatch(crashed);
          const draining = [...server.logs().matchAll(/draining (\d+) in-flight/g)].map((match) => Number(match[1]));
          expect(draining).toHaveLength(10);
          expect(Math.min(...draining)).toBeGreaterThanOrEqual(2);
          expect(await post(`${server.url}/inference`, { numbers: [3] })).toMatchObject({ status: 200, body: '{"squares":[9]}' });
        } finally {
          loading = false;
          held?.abort();
          process.kill(-server.proc.pid!, 'SIGTERM');
          await server.exited;
        }
        const outcomes = await load;
        expect(outcomes.filter((outcome) => outcome.status === 200).length).toBeGreaterThan(0);
        expect(outcomes.filter((outcome) => outcome.status >= 500 && outcome.status !== 503)).toEqual([]);
        await eventually(() => processesOf(app).length === 0, 20_000);
      }, 30 * 60_000);

      itNeeding(linuxX64(nodePackage(22)), 'installs with npm ci on Node 22 without a warning, as the README sets it up', () => {
        run('npm', readmeShellLine('npm pkg set allowScripts').slice(1), app);
        const node22 = dirname(fetchNode(work, 22));
        const printed = output('npm', ['ci'], app, { PATH: `${node22}:${process.env.PATH}` });
        expect(printed).not.toMatch(/npm warn/i);
      }, SETUP_TIMEOUT);
    });
  } else {
    itNeeding(linuxX64(nodePackage(24)), "passes the README's tests with Jest, mapping .js imports to the sources as the README says (Node 24: Jest's require of ES modules)", () => {
      const mapper = `'^(\\\\.{1,2}/.*)\\\\.js$': '$1'`;
      const e2eConfig = JSON.parse(readFileSync(join(app, 'test/jest-e2e.json'), 'utf8'));
      writeFileSync(join(app, 'test/jest-e2e.json'), JSON.stringify({ ...e2eConfig, moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' } }, null, 2));
      const unitConfig = readFileSync(join(app, 'jest.config.ts'), 'utf8');
      expect(unitConfig).toContain('moduleNameMapper: pathsToModuleNameMapper(');
      // Replaced by functions: a replacement string would read the `$1` and `$'` in the mapper.
      const patched = unitConfig
        .replace('moduleNameMapper: pathsToModuleNameMapper(', () => `moduleNameMapper: { ${mapper}, ...pathsToModuleNameMapper(`)
        .replace("prefix: '<rootDir>/' })", () => "prefix: '<rootDir>/' }) }");
      writeFileSync(join(app, 'jest.config.ts'), patched);
      const node24 = fetchNode(work, 24);
      const jest = ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js'];
      expect(output(node24, [...jest, '--config', 'test/jest-e2e.json'], app)).toMatch(/Tests:\s+3 passed, 3 total/);
      expect(output(node24, jest, app)).toMatch(/Tests:\s+1 passed, 1 total/);
      expect(processesOf(app)).toEqual([]);
    }, SETUP_TIMEOUT);
  }
});

async function servesThePipeline(server: RunningServer): Promise<void> {
  const answer = await post(`${server.url}/inference`, { numbers: [1, 2, 3] });
  expect(answer.status).toBe(200);
  expect(JSON.parse(answer.body)).toEqual({ squares: [1, 4, 9] });
  const bad = await post(`${server.url}/inference`, { numbers: 'three' });
  expect(bad.status).toBe(422);
  expect(bad.body).toContain('numbers must be an array of numbers');
  // Concurrent requests are batched by Square and each gets its own answer.
  const answers = await Promise.all(
    Array.from({ length: 40 }, (_, i) => post(`${server.url}/inference`, { numbers: [i, -i] })),
  );
  answers.forEach((each, i) => expect(JSON.parse(each.body)).toEqual({ squares: [i * i, i * i] }));
  const samples = await scrape(server.url);
  expect(total(samples, 'mosec_service_batch_size_count', { stage: 'Square' })).toBeGreaterThan(0);
}
