// Memory of a server's process tree: RSS and PSS of each process from /proc/<pid>/smaps_rollup,
// descendants from `pgrep -P`. PSS splits each shared page among the processes that map it, so the
// tree's PSS adds up without counting twice what workers share (libraries, forked pages, /dev/shm).
const { execFileSync } = require('node:child_process');
const { readFileSync } = require('node:fs');

function childPids(pid) {
  try {
    return execFileSync('pgrep', ['-P', String(pid)]).toString().trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** { rss, pss } in MiB, or undefined for a process that is gone. */
function memoryMiB(pid) {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0) / 1024;
    return { rss: field('Rss'), pss: field('Pss') };
  } catch {
    return undefined;
  }
}

/** RSS in MiB, or undefined for a process that is gone. */
function rssMiB(pid) {
  return memoryMiB(pid)?.rss;
}

function commandLine(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/**
 * What a child process is: `http` for mosec's Rust server, `helper` for Python's multiprocessing
 * resource tracker, `worker` for everything else (our forked stage workers, mosec's spawned ones).
 */
function kindOf(command) {
  if (command.includes('resource_tracker')) return 'helper';
  if (/(^|\/)mosec(\s|$)/.test(command)) return 'http';
  return 'worker';
}

/**
 * { main, mainPss, children: [{ pid, kind, rss, pss }], total, totalPss } in MiB for the server `pid`
 * and every descendant: `main` and `total` are RSS, `mainPss` and `totalPss` PSS.
 */
function processTreeMemory(pid) {
  const children = [];
  const visit = (parent) => {
    for (const child of childPids(parent)) {
      const memory = memoryMiB(child);
      if (memory !== undefined) children.push({ pid: child, kind: kindOf(commandLine(child)), ...memory });
      visit(child);
    }
  };
  visit(pid);
  const main = memoryMiB(pid) ?? { rss: 0, pss: 0 };
  const sum = (key) => children.reduce((total, child) => total + child[key], main[key]);
  return { main: main.rss, mainPss: main.pss, children, total: sum('rss'), totalPss: sum('pss') };
}

module.exports = { processTreeMemory, processTreeRss: processTreeMemory, childPids, memoryMiB, rssMiB };
