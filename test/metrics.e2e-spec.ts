import { eventually, post, RunningServer, startService } from './support/server';
import { scrape, total } from './support/metrics';

describe('GET /metrics after real traffic (echo example)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startService('examples/echo/main.js', { MOSEC_NAMESPACE: 'echo_svc' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('moves the throughput, latency, batch and task metrics as the traffic says', async () => {
    const answers = await Promise.all(Array.from({ length: 64 }, () => post(`${server.url}/inference`, { time: 0.05 })));
    const invalid = await Promise.all(Array.from({ length: 3 }, () => post(`${server.url}/inference`, { nope: 1 })));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(invalid.every((a) => a.status === 422)).toBe(true);

    const samples = await scrape(server.url);
    expect(total(samples, 'echo_svc_throughput', { code: '200', endpoint: '/inference' })).toBe(64);
    expect(total(samples, 'echo_svc_throughput', { code: '422', endpoint: '/inference' })).toBe(3);
    expect(total(samples, 'echo_svc_process_duration_second_count', { stage: 'total', connection: 'total' })).toBe(64);
    expect(total(samples, 'echo_svc_remaining_task')).toBe(0);

    // Only the batching stage has a batch size; its batches are larger than one on average under concurrency.
    const batches = total(samples, 'echo_svc_batch_size_count', { stage: 'Inference' });
    const items = total(samples, 'echo_svc_batch_size_sum', { stage: 'Inference' });
    expect(items).toBe(64);
    expect(items / batches).toBeGreaterThan(1);
    expect(total(samples, 'echo_svc_batch_size_count', { stage: 'Preprocess' })).toBe(0);
    expect(total(samples, 'echo_svc_batch_duration_second_count', { stage: 'Inference' })).toBe(batches);

    // Every stage has its per-connection process time; every worker its warm-up time.
    for (const stage of ['Preprocess', 'Inference', 'Postprocess']) {
      expect(total(samples, 'echo_svc_process_duration_second_count', { stage })).toBeGreaterThan(0);
    }
    const warmUps = samples.filter((s) => s.name === 'echo_svc_warmup_duration_second');
    expect(warmUps.map((s) => s.labels.connection).sort()).toEqual(['Inference#1', 'Postprocess#1', 'Preprocess#1', 'Preprocess#2']);
    expect(samples.some((s) => s.name === 'process_resident_memory_bytes')).toBe(true);
    expect(samples.find((s) => s.name === 'echo_svc_queue_depth' && s.labels.stage === 'Inference')?.value).toBe(0);
  });

  it('counts worker restarts', async () => {
    const before = total(await scrape(server.url), 'echo_svc_worker_restarts_total', { stage: 'Postprocess' });
    const pids = server.workerPids();
    process.kill(pids[pids.length - 1], 'SIGKILL'); // the last one forked: Postprocess
    let after = before;
    await eventually(async () => (after = total(await scrape(server.url), 'echo_svc_worker_restarts_total', { stage: 'Postprocess' })) !== before, 10_000);
    expect(after).toBe(before + 1);
  });

  it('counts tasks dropped because their client went away', async () => {
    const controller = new AbortController();
    const pending = fetch(`${server.url}/inference`, {
      method: 'POST',
      body: JSON.stringify({ time: 1 }),
      headers: { 'content-type': 'application/json' },
      signal: controller.signal,
    }).catch(() => undefined);
    // The second request waits in the Inference queue behind the first one's one-second batch.
    const blocker = post(`${server.url}/inference`, { time: 1 });
    // Both are tasks of the service before the first client goes.
    await eventually(async () => total(await scrape(server.url), 'echo_svc_remaining_task') >= 2, 5000);
    controller.abort();
    await pending;
    await blocker;
    await eventually(async () => total(await scrape(server.url), 'echo_svc_dropped_tasks_total', { endpoint: '/inference' }) === 1, 5000);
  });

  it('carries no request data', async () => {
    await post(`${server.url}/inference`, { time: 0, secret: 'hunter2-token' });
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).not.toContain('hunter2-token');
  });
});

describe('custom metrics from stage code (examples/metrics)', () => {
  it("shows each worker's prom-client counter on the service's own /metrics, summing to the requests", async () => {
    const server = await startService('examples/metrics/main.js');
    try {
      const numbers = Array.from({ length: 80 }, (_, i) => i);
      const answers = await Promise.all(numbers.map((num) => post(`${server.url}/inference`, { num })));
      expect(answers.every((a) => a.status === 200 && (a.body === 'true' || a.body === 'false'))).toBe(true);
      expect((await post(`${server.url}/inference`, { num: 'x' })).status).toBe(422);

      const samples = await scrape(server.url);
      const results = samples.filter((s) => s.name === 'inference_result_total');
      expect(total(samples, 'inference_result_total')).toBe(80);
      expect(new Set(results.map((s) => s.labels.worker_id))).toEqual(new Set(['1', '2']));
      for (const sample of results) {
        expect(sample.labels.stage).toBe('Inference');
        expect(sample.labels.worker).toBe(sample.labels.worker_id);
      }
      const trues = answers.filter((a) => a.body === 'true').length;
      expect(total(samples, 'inference_result_total', { status: 'true' })).toBe(trues);
    } finally {
      await server.stop();
    }
  });
});

describe('throughput counts every answer of a pipeline route', () => {
  it('includes those given before a task exists: 413 and 429', async () => {
    const server = await startService('examples/echo/main.js', { MOSEC_CAPACITY: '2', MOSEC_MAX_REQUEST_SIZE: '64' });
    try {
      expect((await post(`${server.url}/inference`, { time: 0, pad: 'x'.repeat(100) })).status).toBe(413);
      const answers = await Promise.all(Array.from({ length: 8 }, () => post(`${server.url}/inference`, { time: 0.3 })));
      const tooMany = answers.filter((a) => a.status === 429).length;
      expect(tooMany).toBeGreaterThan(0);
      const samples = await scrape(server.url);
      expect(total(samples, 'mosec_service_throughput', { code: '413', endpoint: '/inference' })).toBe(1);
      expect(total(samples, 'mosec_service_throughput', { code: '429', endpoint: '/inference' })).toBe(tooMany);
      expect(total(samples, 'mosec_service_throughput', { code: '200', endpoint: '/inference' })).toBe(8 - tooMany);
    } finally {
      await server.stop();
    }
  });
});
