import { readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A service's directory is named after its owner: `mosec-<pid>-<start>-<pid namespace>-<random>`,
 * where `start` is when the process started (clock ticks after boot, so that a reused pid is told
 * apart) and the pid namespace is the inode of /proc/self/ns/pid (a pid means nothing in another
 * container sharing /dev/shm); 0 where there is no /proc to tell.
 */
const OWNED = /^mosec-(\d+)-(\d+)-(\d+)-[\w]+$/;

interface Owner {
  pid: number;
  start: number;
  pidNamespace: number;
}

/** The start of this process's directory name, for `mkdtemp`. */
export function ownedPrefix(): string {
  return `mosec-${process.pid}-${startTime(process.pid) ?? 0}-${pidNamespace() ?? 0}-`;
}

export interface StaleDirectory {
  dir: string;
  pid: number;
}

/**
 * Removes the directories of `shm` that a service of this user left behind when it was killed with
 * its watcher (SIGKILL of the whole tree, a container's kill): those whose owner process is gone, or
 * whose pid now belongs to another process. Kept: other users' directories, names that record no
 * owner (older versions'), owners in another pid namespace, and every live owner's.
 */
export function removeStaleDirectories(shm: string): StaleDirectory[] {
  const removed: StaleDirectory[] = [];
  let names: string[];
  try {
    names = readdirSync(shm);
  } catch {
    return removed;
  }
  const uid = process.getuid?.();
  for (const name of names) {
    const match = OWNED.exec(name);
    if (!match) continue;
    const owner: Owner = { pid: Number(match[1]), start: Number(match[2]), pidNamespace: Number(match[3]) };
    const dir = join(shm, name);
    try {
      if (owner.pid <= 0 || (uid !== undefined && statSync(dir).uid !== uid) || !isGone(owner)) continue;
      rmSync(dir, { recursive: true, force: true });
      removed.push({ dir, pid: owner.pid });
    } catch {
      // removed meanwhile, or not ours to remove
    }
  }
  return removed;
}

function isGone(owner: Owner): boolean {
  const here = pidNamespace();
  // Unknown (0), or another container's: not ours to judge.
  if (!owner.pidNamespace || !here || owner.pidNamespace !== here) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: alive, another user's process.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  // Alive: ours only if it is the same process, not a later one given the same pid.
  const start = startTime(owner.pid);
  return owner.start !== 0 && start !== undefined && start !== owner.start;
}

/** Field 22 of /proc/<pid>/stat: when the process started; undefined where there is no /proc. */
function startTime(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from its closing one.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  } catch {
    return undefined;
  }
}

/** The inode of this process's pid namespace (`pid:[4026531836]`). */
function pidNamespace(): number | undefined {
  try {
    return Number(/\d+/.exec(readlinkSync('/proc/self/ns/pid'))?.[0]) || undefined;
  } catch {
    return undefined;
  }
}
