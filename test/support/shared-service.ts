import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { childPids, DIST, running, startCommand } from './server';

/** A server that several spec files send requests to; none of them stops it. */
export interface SharedService {
  url: string;
  pid: number;
  /** Everything the server printed since it started (for all the files that used it). */
  logs(): string;
  workerPids(): number[];
}

/** What global-teardown.js reads to stop each shared server and check its exit. */
export interface SharedRecord {
  url: string;
  pid: number;
  log: string;
}

/**
 * The default boot of `<DIST>/<entry>`, shared by the spec files of one Jest worker that only send
 * it requests (each pays a start otherwise): the first file to ask starts it, the next ones find it
 * in the run's directory (made by global-setup.js), and global-teardown.js stops it and checks that
 * it drained and exited. A file that changes the server (its options, its workers, its life) starts
 * its own with `startService`.
 */
export async function sharedService(entry: string): Promise<SharedService> {
  const dir = process.env.MOSEC_SHARED_SERVICES;
  if (!dir) throw new Error('MOSEC_SHARED_SERVICES is not set: run the tests with jest.config.js, whose globalSetup makes it');
  const record = join(dir, `${process.env.JEST_WORKER_ID ?? '1'}-${entry.replace(/\W+/g, '_')}.json`);
  if (!existsSync(record)) {
    const log = `${record}.log`;
    const server = await startCommand(process.execPath, [join(DIST, entry)], { logFile: log });
    // It outlives this file: the runner may go on (or end) without waiting for it.
    server.proc.unref();
    writeFileSync(record, JSON.stringify({ url: server.url, pid: server.proc.pid!, log } satisfies SharedRecord));
  }
  const { url, pid, log } = JSON.parse(readFileSync(record, 'utf8')) as SharedRecord;
  const logs = () => readFileSync(log, 'utf8');
  if (!running(pid)) throw new Error(`the shared ${entry} server has exited; a spec that stops or kills a server must start its own:\n${logs()}`);
  return { url, pid, logs, workerPids: () => childPids(pid) };
}
