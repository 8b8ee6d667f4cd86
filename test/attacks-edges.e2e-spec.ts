import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunningServer, startServer } from './support/server';

/**
 * Edges of the service a client or a crash reaches: what a killed service left in /dev/shm, streams
 * whose client left, and HTTP/2 streams reset as soon as opened (the full size is `npm run attack`).
 */
const FIXTURE = 'test/fixtures/attack/main.js';
const SHM = '/dev/shm';

/** A directory as a killed service leaves it: a payload and the record of its owner. */
function leftBehind(owner: object | undefined): string {
  const dir = mkdtempSync(join(SHM, 'mosec-test-'));
  writeFileSync(join(dir, 'w1-1'), 'payload');
  if (owner) writeFileSync(join(dir, '.owner'), JSON.stringify(owner));
  return dir;
}

function startTimeOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

describe('shared memory left by a killed service', () => {
  const made: string[] = [];
  let server: RunningServer | undefined;
  afterAll(async () => {
    await server?.stop();
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });

  it('removes the directories of dead owners at start and keeps the live ones', async () => {
    const pidNamespace = readlinkSync('/proc/self/ns/pid');
    const exited = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const deadPid = Number(exited.stdout.toString());
    const live = { pid: process.pid, start: startTimeOf(process.pid), pidNamespace };
    const dead = leftBehind({ pid: deadPid, start: '1', pidNamespace });
    const reused = leftBehind({ ...live, start: String(Number(live.start) - 1) }); // our pid, an earlier process's
    const kept = leftBehind(live);
    const otherNamespace = leftBehind({ pid: deadPid, pidNamespace: 'pid:[1]' });
    const unknown = leftBehind(undefined);
    made.push(dead, reused, kept, otherNamespace, unknown);

    server = await startServer(FIXTURE);

    expect(existsSync(dead)).toBe(false);
    expect(existsSync(reused)).toBe(false);
    expect(existsSync(kept)).toBe(true);
    expect(existsSync(otherNamespace)).toBe(true);
    expect(existsSync(unknown)).toBe(true);
    expect(server.logs()).toContain(`removed ${dead}, left by pid ${deadPid}, which is gone`);
    expect(server.logs()).toContain(`removed ${reused}, left by pid ${process.pid}`);
    // The service's own directory says whose it is.
    const own = /go through (\/dev\/shm\/mosec-\S+)/.exec(server.logs())![1];
    expect(own).toMatch(new RegExp(`^/dev/shm/mosec-${server.proc.pid}-`));
    expect(JSON.parse(readFileSync(join(own, '.owner'), 'utf8'))).toMatchObject({ pid: server.proc.pid });
  });
});
