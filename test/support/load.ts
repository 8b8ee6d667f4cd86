import { readFileSync } from 'node:fs';
import type { RunningServer } from './server';
import { scrape, total } from './metrics';

/** One request as a client saw it: status 0 when the request failed without an answer. */
export interface Outcome {
  startedAt: number;
  endedAt: number;
  status: number;
  body: string;
  error?: string;
}

/** POSTs and records when, what came back, or why nothing did. */
export async function timedPost(url: string, body: unknown, init: RequestInit = {}): Promise<Outcome> {
  const startedAt = Date.now();
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      ...init,
    });
    const text = await response.text();
    return { startedAt, endedAt: Date.now(), status: response.status, body: text };
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause;
    return { startedAt, endedAt: Date.now(), status: 0, body: '', error: cause?.message ?? (error as Error).message };
  }
}

/**
 * `count` clients, each sending one request after another until `until` (epoch ms) or until `stop`
 * says its last outcome ends its run. Resolves with every outcome.
 */
export async function runClients(
  count: number,
  until: number,
  send: (client: number) => Promise<Outcome>,
  stop: (outcome: Outcome) => boolean = () => false,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  await Promise.all(
    Array.from({ length: count }, async (_, client) => {
      while (Date.now() < until) {
        const outcome = await send(client);
        outcomes.push(outcome);
        if (stop(outcome)) return;
      }
    }),
  );
  return outcomes;
}

/** The current pid of each worker of `stage` (`Stage#1` → pid), as the server's log names them. */
export function stagePids(server: RunningServer, stage: string): Map<string, number> {
  const pids = new Map<string, number>();
  for (const [, label, pid] of server.logs().matchAll(/(\w+#\d+) spawned \(pid (\d+)\)/g)) {
    if (label.startsWith(`${stage}#`)) pids.set(label, Number(pid));
  }
  return pids;
}

/** Resident set size of a process, in bytes: now, or the most it ever had (`VmHWM`). */
export function rss(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const line = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!line) throw new Error(`no ${field} for pid ${pid}`);
  return Number(line[1]) * 1024;
}

/** `remaining_task` of the service (tasks accepted and not yet answered). */
export async function remainingTasks(url: string): Promise<number> {
  return total(await scrape(url), 'mosec_service_remaining_task');
}
