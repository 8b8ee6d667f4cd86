import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WORKER_V8_FLAGS, workerExecArgv } from './worker-exec-argv';

/** What a Node process started with `execArgv` (and `NODE_OPTIONS`) gets: its heap limit and its thread count. */
function footprint(execArgv: string[], nodeOptions = ''): { heapLimit: number; threads: number } {
  const script = "const v8 = require('v8'); console.log(JSON.stringify({ heapLimit: v8.getHeapStatistics().heap_size_limit, threads: require('fs').readdirSync('/proc/self/task').length }))";
  const output = execFileSync(process.execPath, [...execArgv, '-e', script], { env: { PATH: process.env.PATH, NODE_OPTIONS: nodeOptions }, timeout: 20_000 });
  return JSON.parse(output.toString());
}

/**
 * The largest old space (MiB) of a Node process started with `execArgv` that holds ~15 MiB and meanwhile
 * allocates items that live long enough to be promoted (a window of the latest 5,000), as a worker
 * under load does with the items in flight.
 */
function oldSpacePeak(execArgv: string[]): number {
  const script = `
    const v8 = require('v8'); const held = []; for (let i = 0; i < 150000; i++) held.push({ i, s: 'held' + i });
    const window = []; let turns = 0, peak = 0;
    const turn = () => {
      for (let i = 0; i < 20000; i++) { window.push({ i, s: 'item' + i }); if (window.length > 5000) window.shift(); }
      peak = Math.max(peak, v8.getHeapSpaceStatistics().find((space) => space.space_name === 'old_space').space_size);
      if (++turns < 40) setImmediate(turn); else console.log(peak / 2 ** 20, held.length);
    };
    turn();`;
  // From a file: an `-e` script's old generation is sized otherwise.
  const folder = mkdtempSync(join(tmpdir(), 'mosec-old-space-'));
  try {
    writeFileSync(join(folder, 'load.js'), script);
    const output = execFileSync(process.execPath, [...execArgv, join(folder, 'load.js')], { env: { PATH: process.env.PATH }, timeout: 60_000 });
    return Number(output.toString().split(' ')[0]);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

describe('workerExecArgv', () => {
  it('collects the garbage a worker promotes under load before its old space grows far past what it holds', () => {
    const withoutBound = oldSpacePeak(WORKER_V8_FLAGS.filter((flag) => !flag.startsWith('--heap-growing-percent')));
    const worker = oldSpacePeak(workerExecArgv([]));
    // Measured: 58 MiB without the bound, 24 with it, for ~15 MiB held.
    expect(worker).toBeLessThan(36);
    expect(worker).toBeLessThan(withoutBound * 0.75);
  });

  it('starts a worker with a smaller young generation and fewer V8 threads than a plain Node process', () => {
    const plain = footprint([]);
    const worker = footprint(workerExecArgv([]));
    expect(worker.heapLimit).toBeLessThan(plain.heapLimit);
    expect(worker.threads).toBeLessThan(plain.threads);
  });

  it('keeps the HTTP process own flags after the worker ones, so a setting the user gave there wins, in either spelling', () => {
    const own = ['--enable-source-maps', '--stack-trace-limit=20'];
    expect(workerExecArgv(own).slice(-own.length)).toEqual(own);
    const asked = footprint(['--max-semi-space-size=16']);
    expect(footprint(workerExecArgv(['--max_semi_space_size=16'])).heapLimit).toBe(asked.heapLimit);
  });

  it('lets a setting the user gave in NODE_OPTIONS win (the command line would beat it), in either spelling', () => {
    for (const nodeOptions of ['--v8-pool-size=4  --max-semi-space-size=16', '--v8_pool_size=4 --max_semi_space_size=16']) {
      const asked = footprint([], nodeOptions);
      expect(footprint(workerExecArgv([], nodeOptions), nodeOptions)).toEqual(asked);
    }
  });
});
