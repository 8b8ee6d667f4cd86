// One bounded wrk run and what it printed: requests per second, p50/p99 latency, errors.
const { execFile } = require('node:child_process');
const { join } = require('node:path');

const LUA = join(__dirname, '..', 'lua');

/**
 * Drives `url` with `connections` open connections for `seconds`, POSTing the body of
 * `bench/lua/<script>.lua`, with `env` added to wrk's environment (the script may read it). A request
 * unanswered after `timeoutSeconds` counts as a timeout, not in the latencies.
 * Resolves with { rps, p50, p99 (ms), requests, errors, non2xx }.
 */
function runWrk({ url, script, connections, seconds, threads = 1, env = {}, timeoutSeconds = 10 }) {
  const args = [
    `-t${Math.max(1, Math.min(threads, connections))}`,
    `-c${connections}`,
    `-d${seconds}s`,
    '--timeout', `${timeoutSeconds}s`,
    '--latency',
    '-s', join(LUA, `${script}.lua`),
    url,
  ];
  return new Promise((resolve, reject) => {
    // wrk stops by itself after `seconds`; the kill is a guard against a hung run.
    execFile('wrk', args, { env: { ...process.env, ...env }, timeout: (seconds + timeoutSeconds + 20) * 1000, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`wrk ${args.join(' ')} failed: ${error.message}\n${stderr}`));
      try {
        resolve(parseWrk(stdout));
      } catch (parseError) {
        reject(new Error(`${parseError.message} in wrk output:\n${stdout}`));
      }
    });
  });
}

const UNITS = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

/** A wrk duration such as `812.00us`, `3.21ms` or `1.02s`, in milliseconds. */
function toMs(text) {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (!match) throw new Error(`unknown duration "${text}"`);
  return Number(match[1]) * UNITS[match[2]];
}

function parseWrk(stdout) {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
  const requests = /(\d+) requests in/.exec(stdout);
  const p50 = /^\s+50%\s+(\S+)/m.exec(stdout);
  const p99 = /^\s+99%\s+(\S+)/m.exec(stdout);
  if (!rps || !requests || !p50 || !p99) throw new Error('no throughput or latency');
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(stdout);
  return {
    rps: Number(rps[1]),
    p50: toMs(p50[1]),
    p99: toMs(p99[1]),
    requests: Number(requests[1]),
    errors: socket ? socket.slice(1).reduce((sum, count) => sum + Number(count), 0) : 0,
    non2xx: non2xx ? Number(non2xx[1]) : 0,
  };
}

module.exports = { runWrk, parseWrk };
