import { join } from 'node:path';
import { DIST, exitOf, exitWithin, freePort, post, RunningServer, startCommand, waitForLog, waitReady } from './support/server';

/** Starts a compiled example as `node <entry> <args...>`, as a user would (MOSEC_PORT is set too). */
function startWithFlags(entry: string, args: string[], env: Record<string, string> = {}, waitReady = true): Promise<RunningServer> {
  return startCommand(process.execPath, [join(DIST, entry), ...args], { env, waitReady });
}

async function failedStart(args: string[]): Promise<string> {
  const server = await startWithFlags('examples/echo/main.js', args, {}, false);
  const code = await exitOf(server, 20_000);
  expect(code).not.toBe(0);
  expect(code).not.toBe('still running');
  return server.logs();
}

describe("mosec's command-line flags on a service's entry", () => {
  it('--port, --timeout, --max-request-size, --namespace and --debug beat their MOSEC_* variables', async () => {
    const port = await freePort();
    const env = { MOSEC_TIMEOUT: '10000', MOSEC_MAX_REQUEST_SIZE: '100000', MOSEC_NAMESPACE: 'from_env', MOSEC_LOG_LEVEL: 'error' };
    const args = ['--port', String(port), '--timeout', '1000', '--max-request-size', '1000', '--namespace', 'from_flag', '--debug'];
    const started = await startWithFlags('examples/echo/main.js', args, env, false);
    // startCommand put the service on MOSEC_PORT; the flag moves it.
    const server = { ...started, url: `http://127.0.0.1:${port}` };
    try {
      await waitReady(server);
      // Nothing listens on MOSEC_PORT.
      await expect(fetch(`${started.url}/`)).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } });
      expect(await post(`${server.url}/inference`, { time: 0 })).toMatchObject({ status: 200 });
      const begun = Date.now();
      expect(await post(`${server.url}/inference`, { time: 2 })).toMatchObject({ status: 408 });
      expect(Date.now() - begun).toBeLessThan(1900);
      expect(await post(`${server.url}/inference`, { time: 0, pad: 'x'.repeat(2000) })).toMatchObject({ status: 413 });
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toMatch(/^# TYPE from_flag_batch_size histogram$/m);
      expect(metrics).not.toMatch(/from_env_/);
      // A ValidationError is logged at debug level only.
      expect(await post(`${server.url}/inference`, { time: -1 })).toMatchObject({ status: 422 });
      await waitForLog(server, /forward: time must be a non-negative number/);
    } finally {
      await server.stop();
    }
  });

  it('--wait is the batch wait of the stages whose @Stage sets none', async () => {
    // The metrics example batches up to 8 and sets no maxWaitTime: a lone request waits for company.
    const server = await startWithFlags('examples/metrics/main.js', ['--wait', '800']);
    try {
      const begun = Date.now();
      expect(await post(`${server.url}/inference`, { num: 1 })).toMatchObject({ status: 200, body: 'true' });
      expect(Date.now() - begun).toBeGreaterThanOrEqual(750);
    } finally {
      await server.stop();
    }
  });

  it('--help lists every flag with its variable and default, and exits 0 before any worker starts', async () => {
    const server = await startWithFlags('examples/echo/main.js', ['--help'], { MOSEC_TIMEOUT: '4500' }, false);
    expect(await exitWithin(server, 20_000)).toBe(0);
    const logs = server.logs();
    expect(logs).toMatch(/^Usage: node \S+examples\/echo\/main\.js \[flags\]$/m);
    for (const [flag, variable] of [
      ['--port <n>', 'MOSEC_PORT'], ['--address <ip>', 'MOSEC_ADDRESS'], ['--wait <ms\\|auto>', 'MOSEC_WAIT'],
      ['--capacity <n>', 'MOSEC_CAPACITY'], ['--namespace <name>', 'MOSEC_NAMESPACE'], ['--log-level <level>', 'MOSEC_LOG_LEVEL'],
      ['--debug', 'MOSEC_DEBUG'], ['--max-request-size <bytes>', 'MOSEC_MAX_REQUEST_SIZE'], ['--compression', 'MOSEC_COMPRESSION'],
      ['--dry-run', 'MOSEC_DRY_RUN'],
    ]) {
      expect(logs).toMatch(new RegExp(`^  ${flag} +${variable} +\\S+ +\\S`, 'm'));
    }
    // The defaults are the service's own: here MOSEC_TIMEOUT's.
    expect(logs).toMatch(/^ {2}--timeout <ms> +MOSEC_TIMEOUT +4500 +ms from arrival/m);
    expect(logs).toMatch(/^ {2}--compression +MOSEC_COMPRESSION +off /m);
    expect(logs).not.toMatch(/spawned|listening/);
  });

  it('a bad value stops the start with a message naming the flag', async () => {
    expect(await failedStart(['--port', 'abc'])).toContain('--port must be an integer from 0 to 65535, not "abc"');
    expect(await failedStart(['--log-level', 'loud'])).toContain('--log-level must be debug, info, warning or error, not "loud"');
    expect(await failedStart(['--timeout'])).toContain('--timeout needs a value: --timeout <ms>');
  });

  it('--dry-run runs the dry run even with MOSEC_DRY_RUN=0, and exits 0', async () => {
    const server = await startWithFlags('examples/echo/main.js', ['--dry-run'], { MOSEC_DRY_RUN: '0' }, false);
    expect(await exitWithin(server, 30_000)).toBe(0);
    expect(server.logs()).toMatch(/dry run: POST \/inference: 1 example\(s\) passed/);
  });

  it("leaves flags it does not know alone, as a test runner's", async () => {
    const server = await startWithFlags('examples/echo/main.js', ['--runInBand', '--testTimeout=5000', 'test/echo.e2e-spec.ts']);
    try {
      expect(await post(`${server.url}/inference`, { time: 0 })).toMatchObject({ status: 200 });
    } finally {
      await server.stop();
    }
  });
});
