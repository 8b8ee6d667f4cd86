import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { post, RunningServer, sleep, startServer } from './support/server';

/**
 * A worker holds its stage, not the service: the echo example's workers (stages that inject nothing)
 * stay within a bounded distance of a bare `node` after serving requests. Measured: ~36 MiB over it,
 * of which ~8 MiB is the heartbeat thread (an isolate of its own); 53-58 MiB when every worker loaded
 * the HTTP side, Nest's core and a 16 MiB young generation.
 */
const MARGIN_MIB = 48;

function rssMiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match![1]) / 1024;
}

function commandLine(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
}

async function bareNodeRssMiB(): Promise<number> {
  const bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  try {
    await sleep(1500);
    return rssMiB(bare.pid!);
  } finally {
    bare.kill('SIGKILL');
  }
}

describe('worker footprint (echo example)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer('examples/echo/main.js');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('keeps each worker within 40 MiB of a bare node process after some requests', async () => {
    for (let round = 0; round < 20; round++) {
      const answers = await Promise.all(Array.from({ length: 16 }, () => post(`${server.url}/inference`, { time: 0 })));
      expect(answers.every((answer) => answer.status === 200)).toBe(true);
    }
    const bare = await bareNodeRssMiB();
    const workers = server.workerPids();
    expect(workers).toHaveLength(4);
    for (const pid of workers) expect(rssMiB(pid) - bare).toBeLessThan(MARGIN_MIB);
  });

  it('starts workers with the small-heap V8 flags', () => {
    for (const pid of server.workerPids()) {
      expect(commandLine(pid)).toEqual(expect.arrayContaining(['--max-semi-space-size=2', '--v8-pool-size=1']));
    }
  });
});
