import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
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

/** How long a service may take to get ready: a service of nine workers took 23 s on 2 busy cores. */
const READY_TIMEOUT_MS = 50_000;

/** Starts `<DIST>/<entry>` as a real process on a free loopback port; waits for `GET /` 200 unless told not to. */
export async function startService(
  entry: string,
  env: Record<string, string> = {},
  options: { waitReady?: boolean; readyTimeoutMs?: number } = {},
): Promise<RunningServer> {
  return startCommand(process.execPath, [join(DIST, entry)], { ...options, env });
}

/** The former name of `startService`, for specs written before it. */
export const startServer = startService;

/** Starts any command that serves on `MOSEC_PORT` (a free loopback port), e.g. `npm run start:prod` in an app. */
export async function startCommand(
  command: string,
  args: string[],
  options: {
    env?: Record<string, string>;
    cwd?: string;
    waitReady?: boolean;
    readyTimeoutMs?: number;
    detached?: boolean;
    /** Write the output to this file (read back by `logs()`) instead of keeping it in memory. */
    logFile?: string;
  } = {},
): Promise<RunningServer> {
  const port = await freePort();
  const output: string[] = [];
  const logFd = options.logFile === undefined ? undefined : openSync(options.logFile, 'a');
  const proc = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, MOSEC_PORT: String(port), MOSEC_ADDRESS: '127.0.0.1', NO_COLOR: '1', ...options.env },
    stdio: logFd === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', logFd, logFd],
    // Its own process group, to signal the whole group as systemd or `docker stop` would.
    detached: options.detached,
  });
  if (logFd === undefined) {
    proc.stdout!.on('data', (chunk) => output.push(chunk.toString()));
    proc.stderr!.on('data', (chunk) => output.push(chunk.toString()));
  } else {
    closeSync(logFd);
  }
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const server: RunningServer = {
    url: `http://127.0.0.1:${port}`,
    proc,
    logs: () => (options.logFile === undefined ? output.join('') : readFileSync(options.logFile, 'utf8')),
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
  if (options.waitReady !== false) {
    try {
      await waitReady(server, options.readyTimeoutMs ?? READY_TIMEOUT_MS);
    } catch (error) {
      proc.kill('SIGKILL'); // a server that never got ready is not left behind
      throw error;
    }
  }
  return server;
}

/** Resolves once `GET /` answers 200; throws, quoting the log, when the server exits first or after `timeoutMs`. */
export async function waitReady(server: RunningServer, timeoutMs = READY_TIMEOUT_MS): Promise<void> {
  await eventually(
    async () => {
      if (server.proc.exitCode !== null) throw new Error(`server exited (${server.proc.exitCode}):\n${server.logs()}`);
      return (await fetch(`${server.url}/`).then((r) => r.status, () => 0)) === 200;
    },
    timeoutMs,
    () => `server not ready after ${timeoutMs} ms:\n${server.logs()}`,
  );
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

/** Resolves once every process of `pids` has exited; throws, naming the ones left, after `ms`. */
export function allExited(pids: number[], ms: number): Promise<void> {
  return eventually(() => !pids.some(running), ms, () => `still running after ${ms} ms: ${pids.filter(running).join(', ')}`);
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
export async function waitForLog(server: Pick<RunningServer, 'logs'>, pattern: RegExp, ms = 5000): Promise<void> {
  await eventually(() => pattern.test(server.logs()), ms, () => `no ${pattern} in the log:\n${server.logs()}`);
}

/**
 * Polls `check` until it holds (a thrown error ends the wait with that error); after `timeoutMs`
 * throws `why()` or a plain message. The one polling loop of the tests.
 */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 10_000,
  why: () => string = () => `condition not met within ${timeoutMs} ms`,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(why());
    await sleep(50);
  }
}

/** The server's exit code once it exits, or `'still running'` after `ms`. */
export function exitWithin(server: RunningServer, ms: number): Promise<number | null | 'still running'> {
  return Promise.race([server.exited, sleep(ms).then(() => 'still running' as const)]);
}

/** The server's exit code once it exits by itself within `ms`; otherwise stops it and says so. */
export async function exitOf(server: RunningServer, ms: number): Promise<number | null | 'still running'> {
  const code = await exitWithin(server, ms);
  if (code === 'still running') await server.stop();
  return code;
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
