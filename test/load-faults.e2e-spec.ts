import { Outcome, remainingTasks, rss, runClients, stagePids, timedPost } from './support/load';
import { scrape, total } from './support/metrics';
import { eventually, isAlive, post, RunningServer, sleep, startService } from './support/server';

const FIXTURE = 'test/fixtures/resilience/main.js';
const TIMEOUT_MS = 2000;
const CLIENTS = 64;
/** `maxBatchSize` of the fixture's Sleeper stage: what one of its workers holds at most. */
const SLEEPER_BATCH = 16;

function statuses(outcomes: Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[o.status || o.error!] = (counts[o.status || o.error!] ?? 0) + 1;
  return counts;
}

describe('faults under load (64 clients, real processes)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startService(FIXTURE, { MOSEC_TIMEOUT: String(TIMEOUT_MS) });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('kill -9 of a batching worker: every request answered in time, only its batch fails, a replacement serves while the load goes on', async () => {
    const [[label, victim]] = [...stagePids(server, 'Sleeper')];
    let killedAt = Infinity;
    setTimeout(() => {
      killedAt = Date.now();
      process.kill(victim, 'SIGKILL');
    }, 2500).unref();
    const outcomes = await runClients(CLIENTS, Date.now() + 7000, () => timedPost(`${server.url}/sleep`, { time: 0.02 }));

    expect(killedAt).toBeLessThan(Infinity);
    // Every request got an answer (no hang, no dropped connection), and within the service timeout.
    expect(Object.keys(statuses(outcomes)).filter((s) => s !== '200' && s !== '500')).toEqual([]);
    expect(Math.max(...outcomes.map((o) => o.endedAt - o.startedAt))).toBeLessThan(TIMEOUT_MS);
    // Only the batch the killed worker held failed: at most one batch, all in flight at the kill.
    const failed = outcomes.filter((o) => o.status === 500);
    expect(failed.length).toBeLessThanOrEqual(SLEEPER_BATCH);
    for (const o of failed) {
      expect(o.body).toBe('inference internal error');
      expect(o.startedAt).toBeLessThanOrEqual(killedAt);
      expect(o.endedAt).toBeGreaterThanOrEqual(killedAt);
    }
    expect(outcomes.filter((o) => o.status === 200).length).toBeGreaterThan(1000);
    // A replacement served before the load ended (4.5 s after the kill; ~0.5 s on a quiet machine,
    // over 3 s measured on 2 busy cores, so the time is reported, not checked).
    const replacement = stagePids(server, 'Sleeper').get(label)!;
    expect(replacement).not.toBe(victim);
    const servedByReplacement = outcomes.filter((o) => o.status === 200 && JSON.parse(o.body).pid === replacement);
    expect(servedByReplacement.length).toBeGreaterThan(0);
    console.log(`the replacement answered ${Math.min(...servedByReplacement.map((o) => o.endedAt)) - killedAt} ms after the kill`);
    await eventually(async () => (await remainingTasks(server.url)) === 0, 3000);
  }, 30_000);

  it('a forward that never returns holds up only its own stage', async () => {
    const others = ['Parse', 'Sleeper', 'Relay', 'Probe'].flatMap((stage) => [...stagePids(server, stage).values()]);
    const stuckBefore = [...stagePids(server, 'Stuck').values()];
    // Both Stuck workers get stuck: one in a busy loop, one awaiting forever.
    const stuck = Promise.all([timedPost(`${server.url}/stuck`, { spin: true }), timedPost(`${server.url}/stuck`, { hang: true })]);
    await sleep(100);
    const meanwhile = await Promise.all(Array.from({ length: 32 }, () => timedPost(`${server.url}/sleep`, { time: 0.01 })));
    const [spun, hung] = await stuck;

    expect(meanwhile.map((o) => o.status)).toEqual(Array(32).fill(200));
    expect([spun.status, hung.status]).toEqual([408, 408]);
    // The other stages answered while Stuck was still stuck, not after it was dealt with.
    expect(Math.max(...meanwhile.map((o) => o.endedAt))).toBeLessThan(Math.min(spun.endedAt, hung.endedAt));
    await eventually(() => [...stagePids(server, 'Stuck').values()].every((pid) => !stuckBefore.includes(pid)));
    await eventually(async () => (await post(`${server.url}/stuck`, {})).status === 200);
    // Nothing but the stuck workers was restarted.
    expect(others.filter((pid) => !isAlive(pid))).toEqual([]);
    expect(['Parse', 'Sleeper', 'Relay', 'Probe'].flatMap((stage) => [...stagePids(server, stage).values()])).toEqual(others);
  }, 30_000);

  it('chaos as mosec tests/bad_req.py: 30% invalid, half the batches failing, clients aborting; nothing lost, nothing grows', async () => {
    const ROUND = 1000;
    const CONCURRENCY = 32;
    const checkpoints: Array<{ rss: number; remaining: number }> = [];
    for (let round = 1; round <= 3; round++) {
      let sent = 0;
      const outcomes = await runClients(
        CONCURRENCY,
        Infinity,
        () => {
          sent++;
          const roll = Math.random();
          const body = roll < 0.15 ? { hey: 0 } : roll < 0.3 ? '{"time": 0.0' : { time: Math.round(Math.random() * 50) / 1000 };
          // Half the clients give up at a random moment within 300 ms (bad_req.py: timeout=random()/3).
          const signal = Math.random() < 0.5 ? AbortSignal.timeout(Math.ceil(Math.random() * 300)) : undefined;
          return timedPost(`${server.url}/chaos`, body, { signal });
        },
        () => sent >= ROUND,
      );
      const answered = outcomes.filter((o) => o.status !== 0);
      // Every answer is one the service means: a result, a refusal of bad input, or a failed batch.
      expect(Object.keys(statuses(answered)).sort()).toEqual(['200', '400', '422', '500']);
      for (const o of answered.filter((a) => a.status === 500)) expect(o.body).toBe('inference internal error');
      // The only requests without an answer are the ones their client aborted.
      expect(outcomes.filter((o) => o.status === 0 && !/abort|timeout/i.test(o.error ?? ''))).toEqual([]);
      expect(outcomes.length).toBe(ROUND);

      await eventually(async () => (await remainingTasks(server.url)) === 0, TIMEOUT_MS + 2000);
      expect((await fetch(`${server.url}/`)).status).toBe(200);
      expect(await post(`${server.url}/chaos`, { time: 0 })).toMatchObject({ status: 200, body: '0' });
      const samples = await scrape(server.url);
      expect(total(samples, 'mosec_service_queue_depth')).toBe(0);
      checkpoints.push({ rss: rss(server.proc.pid!), remaining: total(samples, 'mosec_service_remaining_task') });
    }
    const [first, , third] = checkpoints;
    expect(first.remaining).toBe(0);
    expect(third.remaining).toBe(0);
    // Generous: a leak of a few kilobytes per request would show as tens of megabytes over 2000 requests.
    expect(third.rss).toBeLessThan(first.rss * 1.25 + 16 * 1024 * 1024);
  }, 60_000);
});

describe('SIGTERM under load (64 clients)', () => {
  it('answers 200 to every accepted request, 503 or refuses the rest, exits 0 in time and leaves no process', async () => {
    const server = await startService(FIXTURE, { MOSEC_TIMEOUT: String(TIMEOUT_MS) });
    try {
      const workers = server.workerPids();
      expect(workers.length).toBe(9);
      let signalledAt = Infinity;
      setTimeout(() => {
        signalledAt = Date.now();
        server.proc.kill('SIGTERM');
      }, 1500).unref();
      const exitedAt = server.exited.then((code) => ({ code, at: Date.now() }));
      // Each client sends until the service turns it away (503) or is gone (connection refused).
      const outcomes = await runClients(
        CLIENTS,
        Date.now() + 10_000,
        () => timedPost(`${server.url}/sleep`, { time: 0.2 }),
        (o) => o.status !== 200,
      );
      const exit = await Promise.race([exitedAt, sleep(TIMEOUT_MS + 5000).then(() => undefined)]);
      expect(exit?.code).toBe(0);
      expect(exit!.at - signalledAt).toBeLessThan(TIMEOUT_MS + 1000);
      const drained = Number(/SIGTERM: draining (\d+) in-flight request/.exec(server.logs())?.[1]);
      expect(drained).toBeGreaterThan(0);
      expect(server.logs()).not.toMatch(/left unanswered/);
      // Requests sent well before the signal were accepted, and all of them got 200.
      const before = outcomes.filter((o) => o.startedAt < signalledAt - 300);
      expect(before.length).toBeGreaterThan(CLIENTS);
      expect(before.filter((o) => o.status !== 200)).toEqual([]);
      // The ones the server held when the signal came were answered 200 after it.
      expect(outcomes.filter((o) => o.status === 200 && o.endedAt >= signalledAt).length).toBeGreaterThanOrEqual(drained);
      // Later ones: 503, or no connection at all once the server has closed.
      for (const o of outcomes.filter((x) => x.status !== 200)) {
        if (o.status === 503) expect(o.body).toBe('gracefully shutting down');
        else expect(o.error).toMatch(/ECONNREFUSED|ECONNRESET|other side closed|socket/i);
      }
      expect(outcomes.filter((o) => o.status === 503).length).toBeGreaterThan(0);
      await eventually(() => workers.every((pid) => !isAlive(pid)), 2000);
    } finally {
      if (server.proc.exitCode === null) server.proc.kill('SIGKILL');
    }
  }, 40_000);
});
