// Resident memory of a server's process tree, read from /proc/<pid>/status (VmRSS) and `pgrep -P`.
const { execFileSync } = require('node:child_process');
const { readFileSync } = require('node:fs');

function childPids(pid) {
  try {
    return execFileSync('pgrep', ['-P', String(pid)]).toString().trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** VmRSS in MiB, or undefined for a process that is gone. */
function rssMiB(pid) {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
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

/** { main, children: [{ pid, kind, rss }], total } for the server `pid` and every descendant. */
function processTreeRss(pid) {
  const children = [];
  const visit = (parent) => {
    for (const child of childPids(parent)) {
      const rss = rssMiB(child);
      if (rss !== undefined) children.push({ pid: child, kind: kindOf(commandLine(child)), rss });
      visit(child);
    }
  };
  visit(pid);
  const main = rssMiB(pid) ?? 0;
  return { main, children, total: children.reduce((sum, child) => sum + child.rss, main) };
}

module.exports = { processTreeRss, childPids, rssMiB };
