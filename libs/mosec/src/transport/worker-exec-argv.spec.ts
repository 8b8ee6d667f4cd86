import { execFileSync } from 'node:child_process';
import { workerExecArgv } from './worker-exec-argv';

/** What a Node process started with `execArgv` (and `NODE_OPTIONS`) gets: its heap limit and its thread count. */
function footprint(execArgv: string[], nodeOptions = ''): { heapLimit: number; threads: number } {
  const script = "const v8 = require('v8'); console.log(JSON.stringify({ heapLimit: v8.getHeapStatistics().heap_size_limit, threads: require('fs').readdirSync('/proc/self/task').length }))";
  const output = execFileSync(process.execPath, [...execArgv, '-e', script], { env: { PATH: process.env.PATH, NODE_OPTIONS: nodeOptions }, timeout: 20_000 });
  return JSON.parse(output.toString());
}

describe('workerExecArgv', () => {
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
