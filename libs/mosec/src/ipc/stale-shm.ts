import { readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The file in a service's /dev/shm directory that says which process made it (a dot name: never a payload's). */
export const OWNER_FILE = '.owner';
const DIRECTORY = /^mosec-/;

/**
 * Who owns a directory: its pid, when that process started (clock ticks after boot, so a reused pid
 * is told apart) and its pid namespace (a pid means nothing in another container sharing /dev/shm).
 */
interface Owner {
  pid: number;
  start?: string;
  pidNamespace?: string;
}

/** Records this process as the owner of `dir`. */
export function writeOwner(dir: string): void {
  const owner: Owner = { pid: process.pid, start: startTime(process.pid), pidNamespace: pidNamespace() };
  writeFileSync(join(dir, OWNER_FILE), JSON.stringify(owner), { mode: 0o600 });
}

export interface StaleDirectory {
  dir: string;
  pid: number;
}

/**
 * Removes the directories of `shm` that a service of this user left behind when it was killed with
 * its watcher (SIGKILL of the whole tree, a container's kill): those whose owner process is gone, or
 * whose pid now belongs to another process. Kept: other users' directories, directories without an
 * owner record, owners in another pid namespace, and every live owner's.
 */
export function removeStaleDirectories(shm: string): StaleDirectory[] {
  const removed: StaleDirectory[] = [];
  let names: string[];
  try {
    names = readdirSync(shm).filter((name) => DIRECTORY.test(name));
  } catch {
    return removed;
  }
  const uid = process.getuid?.();
  for (const name of names) {
    const dir = join(shm, name);
    try {
      if (uid !== undefined && statSync(dir).uid !== uid) continue;
      const owner = JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as Owner;
      if (!Number.isInteger(owner.pid) || owner.pid <= 0 || !isGone(owner)) continue;
      rmSync(dir, { recursive: true, force: true });
      removed.push({ dir, pid: owner.pid });
    } catch {
      // unreadable, no owner record, or removed meanwhile: not ours to judge
    }
  }
  return removed;
}

function isGone(owner: Owner): boolean {
  const here = pidNamespace();
  if (owner.pidNamespace && here && owner.pidNamespace !== here) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: alive, another user's process.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  // Alive: ours only if it is the same process, not a later one given the same pid.
  const start = startTime(owner.pid);
  return owner.start !== undefined && start !== undefined && start !== owner.start;
}

/** Field 22 of /proc/<pid>/stat: when the process started; undefined where there is no /proc. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function pidNamespace(): string | undefined {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return undefined;
  }
}
