import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allExited, Answer, exitOf, post, RunningServer, sleep, startService } from './support/server';

const FIXTURE = 'test/fixtures/resilience/main.js';

/** Listening sockets (`ss -l`) of the given processes: `tcp 127.0.0.1:8000`, `u_str /tmp/x.sock`... */
function listening(pids: number[], flags: string): string[] {
  const lines = execFileSync('ss', [`-lpH${flags}`]).toString().split('\n');
  return lines
    .filter((line) => [...line.matchAll(/pid=(\d+),/g)].some(([, pid]) => pids.includes(Number(pid))))
    .map((line) => {
      const [netid, , , , local] = line.trim().split(/\s+/);
      return `${netid} ${local}`;
    });
}


/** Looks like a stack trace or a file path on this machine. */
const LEAK = /\n\s+at |\bat .+:\d+:\d+|node_modules|\/work\/|[\w-]+\.(ts|js):\d+/;

describe('security basics', () => {
  let server: RunningServer;
  let port: string;
  beforeAll(async () => {
    server = await startService(FIXTURE);
    port = new URL(server.url).port;
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('listens on the HTTP port only, at the address it was given; workers open no port', () => {
    const pids = [server.proc.pid!, ...server.workerPids()];
    expect(listening(pids, 'tu')).toEqual([`tcp 127.0.0.1:${port}`]);
    expect(listening(server.workerPids(), 'x')).toEqual([]);
  });

  it('talks to each worker over its own unnamed socket pair: nothing in the file system to reach or leave behind', async () => {
    const workers = server.workerPids();
    for (const pid of workers) expect(readlinkSync(`/proc/${pid}/fd/4`)).toMatch(/^socket:\[\d+\]$/);
    expect(listening([server.proc.pid!, ...workers], 'x')).toEqual([]);
    // A temp folder of its own: the machine's is shared with whatever else runs.
    const temp = mkdtempSync(join(tmpdir(), 'security-victim-'));
    const victim = await startService('examples/echo/main.js', { TMPDIR: temp });
    try {
      const victimWorkers = victim.workerPids();
      expect(readdirSync(temp)).toEqual([]);
      victim.proc.kill('SIGKILL');
      await victim.exited;
      await allExited(victimWorkers, 5000);
      expect(readdirSync(temp)).toEqual([]);
    } finally {
      await victim.stop();
      rmSync(temp, { recursive: true, force: true });
    }
  });

  it('never puts a stack trace or a path in an answer', async () => {
    // A stage that throws, on half of its batches, an error whose message names its file: 500.
    const answers: Answer[] = [];
    while (answers.length < 30 && !answers.some((a) => a.status === 500)) answers.push(await post(`${server.url}/chaos`, { time: 0.01 }));
    answers.push(
      await post(`${server.url}/sleep`, '{"time": '), // 400
      await post(`${server.url}/sleep`, { time: 'soon' }), // 422
      await post(`${server.url}/probe-dto`, '{"data": {"constructor": 1}}'), // 422 from the DTO step
      await post(`${server.url}/probe`, Buffer.from([0xc1, 0xff]), { 'content-type': 'application/msgpack' }),
      await post(`${server.url}/probe`, '{}', { 'content-encoding': 'compress' }), // 415
      await post(`${server.url}/nowhere`, '{}'), // 404
      await post(`${server.url}/stuck`, { hang: true }), // 408
    );
    const failed = answers.filter((a) => a.status >= 500);
    expect(failed.length).toBeGreaterThan(0);
    for (const answer of failed) expect(answer.body).toBe('inference internal error');
    for (const answer of answers) expect([answer.status, answer.body]).toEqual([answer.status, expect.not.stringMatching(LEAK)]);
  });

  it('/metrics carries no request data: not from bodies, queries, headers, paths or error answers', async () => {
    const secret = 'hunter2-7f3a';
    await post(`${server.url}/sleep?token=${secret}`, { time: 0, note: secret }, { authorization: `Bearer ${secret}` });
    await post(`${server.url}/sleep`, `{"time": "${secret}"}`); // 422
    await post(`${server.url}/sleep`, `{"${secret}`); // 400, the message quotes the body
    await post(`${server.url}/${secret}`, {}); // 404
    await post(`${server.url}/chaos`, { time: 0.01, note: secret });
    await sleep(50);
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toContain('mosec_service_throughput');
    expect(text).not.toContain(secret);
  });
});

describe('a service whose @Pipeline module is in its main file', () => {
  it('stops at startup, saying why, instead of starting itself again inside each worker', async () => {
    const service = await startService('test/fixtures/single-file/main.js', {}, { waitReady: false });
    const code = await exitOf(service, 20_000);
    expect(code).not.toBe(0);
    expect(code).not.toBe('still running');
    expect(service.logs()).toMatch(/EchoPipeline is written in the main file .*single-file\/main\.js.*Move the @Pipeline module to a file of its own/);
    expect(service.logs()).not.toMatch(/spawned/);
  });
});
