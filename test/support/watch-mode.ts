import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { timedPost } from './load';
import { RunningServer, sleep } from './server';

/** How often `pattern` occurs in the server's log so far. */
export function occurrences(server: RunningServer, pattern: RegExp): number {
  return (server.logs().match(new RegExp(pattern.source, 'g')) ?? []).length;
}

/** Waits until `pattern` occurs `count` times in the log; throws, quoting the log's end, after `ms` or at `fails`. */
export async function waitForCount(server: RunningServer, pattern: RegExp, count: number, ms: number, fails?: RegExp): Promise<void> {
  const deadline = Date.now() + ms;
  while (occurrences(server, pattern) < count) {
    if (fails?.test(server.logs())) throw new Error(`${fails} in the log:\n${server.logs().slice(-6000)}`);
    if (Date.now() > deadline) throw new Error(`${pattern} not seen ${count} times in ${ms} ms:\n${server.logs().slice(-6000)}`);
    await sleep(50);
  }
}

/**
 * Requests that stay in flight until aborted (the `/hold` pipeline of the test app): what keeps a
 * stopping instance draining, and so on the port.
 */
export function holdRequests(url: string, count: number): AbortController {
  const abort = new AbortController();
  for (let i = 0; i < count; i++) void timedPost(`${url}/hold`, { ms: 600_000 }, { signal: abort.signal });
  return abort;
}

/** A source change that `nest start --watch` compiles and restarts on. */
export function touchSource(app: string, file: string, restart: number): void {
  appendFileSync(join(app, file), `\n// restart ${restart}\n`);
}
