import { exitWithin, running, sleep, startService, waitForLog } from './support/server';

/** A daemon that prints what it was given and ignores SIGTERM, as a program stuck in its shutdown would. */
const STUBBORN = [
  "console.log('greeting=' + process.env.GREETING + ' port=' + process.env.MOSEC_PORT);",
  "process.on('SIGTERM', () => console.log('ignoring SIGTERM'));",
  'setInterval(() => undefined, 1000);',
].join(' ');

describe('daemon options', () => {
  it("gives a daemon its env beside the service's, and SIGKILLs one still there 5 s after SIGTERM", async () => {
    const daemons = [{ name: 'stubborn', command: process.execPath, args: ['-e', STUBBORN], env: { GREETING: 'hello' } }];
    const server = await startService('test/fixtures/options/main.js', { MODULE_OPTIONS: JSON.stringify({ daemons }) });
    const started = /daemon\(s\) started: stubborn \(pid (\d+)\)/.exec(server.logs());
    const pid = Number(started?.[1]);
    try {
      expect(pid).toBeGreaterThan(0);
      // Its `env` is added to the service's environment, which it keeps (MOSEC_PORT here).
      await waitForLog(server, /\[stubborn\] greeting=hello port=\d+/);
      expect(server.logs()).toContain(`greeting=hello port=${new URL(server.url).port}`);
      const began = Date.now();
      server.proc.kill('SIGTERM');
      await waitForLog(server, /\[stubborn\] ignoring SIGTERM/);
      expect(await exitWithin(server, 20_000)).toBe(0);
      const took = Date.now() - began;
      expect(server.logs()).toMatch(/daemon stubborn still running 5000 ms after SIGTERM: SIGKILL/);
      // Not before the 5 s grace; wide margin after it.
      expect(took).toBeGreaterThanOrEqual(5000);
      expect(took).toBeLessThan(15_000);
      for (let waited = 0; running(pid) && waited < 2000; waited += 50) await sleep(50);
      expect(running(pid)).toBe(false);
    } finally {
      await server.stop();
      if (running(pid)) process.kill(-pid, 'SIGKILL'); // its own process group: nothing left behind
    }
  }, 40_000);
});
