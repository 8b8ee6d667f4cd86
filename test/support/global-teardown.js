// Stops the servers the spec files shared (see shared-service.ts) and checks each drained and exited,
// as a file that starts its own server checks its exit.
const { readdirSync, readFileSync, rmSync } = require('node:fs');
const { join } = require('node:path');

const STOP_WITHIN_MS = 15_000;

module.exports = async function globalTeardown() {
  const dir = process.env.MOSEC_SHARED_SERVICES;
  if (!dir) return;
  const failures = [];
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.json'))) {
    const { url, pid, log } = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const problem = await stop(pid);
    const logs = readFileSync(log, 'utf8');
    if (problem) failures.push(`shared server ${url} ${problem}:\n${logs}`);
    else if (!/drained \d+ request\(s\)/.test(logs)) failures.push(`shared server ${url} exited without draining:\n${logs}`);
  }
  rmSync(dir, { recursive: true, force: true });
  if (failures.length) throw new Error(failures.join('\n\n'));
};

/** SIGTERM, then waits for the process to end; what went wrong, if anything. */
async function stop(pid) {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return 'had already exited';
  }
  const deadline = Date.now() + STOP_WITHIN_MS;
  while (running(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      return `was still running ${STOP_WITHIN_MS} ms after SIGTERM`;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return undefined;
}

/** The process exists (the runner reaps a server it spawned; init reaps one whose worker is gone). */
function running(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
