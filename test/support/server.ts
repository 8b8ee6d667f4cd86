import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** Where the compiled examples are (`npm test` builds into dist/ first). */
export const DIST = join(__dirname, '..', '..', process.env.MOSEC_DIST ?? 'dist');

export interface RunningServer {
  url: string;
  proc: ChildProcess;
  /** Everything the server printed so far. */
  logs(): string;
  /** Pids of the server's worker processes. */
  workerPids(): number[];
  /** Sends SIGTERM and resolves with the exit code (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<number | null>;
  exited: Promise<number | null>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts `<DIST>/<entry>` as a real process on a free loopback port; waits for `GET /` 200 unless told not to. */
export async function startServer(
  entry: string,
  env: Record<string, string> = {},
  options: { waitReady?: boolean; readyTimeoutMs?: number } = {},
): Promise<RunningServer> {
  return startCommand(process.execPath, [join(DIST, entry)], { ...options, env });
}

/** Starts any command that serves on `MOSEC_PORT` (a free loopback port), e.g. `npm run start:prod` in an app. */
export async function startCommand(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; waitReady?: boolean; readyTimeoutMs?: number; detached?: boolean } = {},
): Promise<RunningServer> {
  const port = await freePort();
  const output: string[] = [];
  const proc = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, MOSEC_PORT: String(port), MOSEC_ADDRESS: '127.0.0.1', NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, to signal the whole group as systemd or `docker stop` would.
    detached: options.detached,
  });
  proc.stdout!.on('data', (chunk) => output.push(chunk.toString()));
  proc.stderr!.on('data', (chunk) => output.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const server: RunningServer = {
    url: `http://127.0.0.1:${port}`,
    proc,
    logs: () => output.join(''),
    workerPids: () => childPids(proc.pid!),
    exited,
    async stop(graceMs = 10_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      proc.kill('SIGTERM');
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  if (options.waitReady !== false) await waitReady(server, options.readyTimeoutMs ?? 30_000);
  return server;
}

export async function waitReady(server: RunningServer, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.proc.exitCode !== null) throw new Error(`server exited (${server.proc.exitCode}):\n${server.logs()}`);
    try {
      if ((await fetch(`${server.url}/`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  throw new Error(`server not ready after ${timeoutMs} ms:\n${server.logs()}`);
}

export function childPids(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)]).toString().trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A process that exists and has not exited (a zombie waiting for its reaper has). */
export function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The status of the first answer of `GET /` (0 while nothing answers), polled until one comes or `ms` passed. */
export async function firstReadiness(server: RunningServer, ms: number): Promise<number> {
  const deadline = Date.now() + ms;
  let status = 0;
  while (status === 0 && Date.now() < deadline) {
    status = await fetch(`${server.url}/`).then((r) => r.status, () => 0);
    if (status === 0) await sleep(20);
  }
  return status;
}

/** Resolves once the server's log matches `pattern`; throws, quoting the log, after `ms`. */
export async function waitForLog(server: RunningServer, pattern: RegExp, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pattern.test(server.logs())) {
    if (Date.now() > deadline) throw new Error(`no ${pattern} in the log:\n${server.logs()}`);
    await sleep(20);
  }
}

/** The server's exit code once it exits, or `'still running'` after `ms`. */
export function exitWithin(server: RunningServer, ms: number): Promise<number | null | 'still running'> {
  return Promise.race([server.exited, sleep(ms).then(() => 'still running' as const)]);
}

/** A timer that does not keep the test runner alive on its own. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export interface Answer {
  status: number;
  body: string;
  type: string | null;
}

/** POSTs a JSON body (or raw bytes/string) and reads the whole answer. */
export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const raw = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: raw as any,
  });
  return { status: response.status, body: await response.text(), type: response.headers.get('content-type') };
}
