import { eventually, post, startService } from './support/server';
import { SharedService, sharedService } from './support/shared-service';

const ECHO = 'examples/echo/main.js';

describe('echo example (real processes, real HTTP)', () => {
  let server: SharedService;
  beforeAll(async () => {
    server = await sharedService(ECHO);
  });

  it('answers GET / with 200 once every worker is ready', async () => {
    const response = await fetch(`${server.url}/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('MOSEC service');
  });

  it('runs a request through the three stages', async () => {
    const answer = await post(`${server.url}/inference`, { time: 0.01 });
    expect(answer).toMatchObject({ status: 200, body: '{"msg":"sleep 0.01 seconds"}' });
    expect(answer.type).toMatch(/^application\/json/);
  });

  it('takes time as a numeric string, as httpie sends `time=1.5`', async () => {
    const answer = await post(`${server.url}/inference`, { time: '0.01' });
    expect(answer).toMatchObject({ status: 200, body: '{"msg":"sleep 0.01 seconds"}' });
  });

  it('answers 422 with the reason when time is missing or not a number', async () => {
    for (const body of [{}, { time: 'soon' }, { time: '' }, { time: '-1' }, { time: -1 }]) {
      const answer = await post(`${server.url}/inference`, body);
      expect(answer.status).toBe(422);
      expect(answer.body).toBe('request validation error: time must be a non-negative number');
    }
  });

  it('answers 400 when the body is not JSON', async () => {
    const answer = await post(`${server.url}/inference`, '{"time": 0.1');
    expect(answer.status).toBe(400);
    expect(answer.body).toMatch(/^decoding error: invalid JSON/);
  });

  it('answers 400 for an empty body', async () => {
    const answer = await post(`${server.url}/inference`, '');
    expect(answer.status).toBe(400);
  });

  it('batches concurrent requests: 64 requests sleeping 0.3 s each finish far sooner than one by one', async () => {
    const began = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 64 }, (_, i) => post(`${server.url}/inference`, { time: i === 0 ? 0.3 : 0.2 })),
    );
    const elapsed = Date.now() - began;
    expect(answers.every((a) => a.status === 200)).toBe(true);
    // One by one this is over 12 s; batches of up to 32 need a few rounds of 0.3 s.
    expect(elapsed).toBeLessThan(4000);
  });

  it('answers 404 for paths it does not serve', async () => {
    expect((await post(`${server.url}/nope`, { time: 0 })).status).toBe(404);
  });
});

describe('echo example limits from MOSEC_* variables', () => {
  it('answers 408 when the service timeout passes', async () => {
    const server = await startService(ECHO, { MOSEC_TIMEOUT: '300' });
    try {
      const began = Date.now();
      const answer = await post(`${server.url}/inference`, { time: 3 });
      expect(answer).toMatchObject({ status: 408, body: 'inference timeout' });
      // At the timeout, not when the 3 s batch ends (a wide margin for a busy machine).
      expect(Date.now() - began).toBeLessThan(2500);
      // The batch itself goes on in its worker (a service timeout answers the client, it does not kill
      // user code); once it is done the service answers as usual.
      await eventually(async () => (await post(`${server.url}/inference`, { time: 0 })).status === 200, 10_000);
    } finally {
      await server.stop();
    }
  });

  it('answers 429 once the queue holds MOSEC_CAPACITY tasks, and serves the rest', async () => {
    const server = await startService(ECHO, { MOSEC_CAPACITY: '4' });
    try {
      const answers = await Promise.all(Array.from({ length: 16 }, () => post(`${server.url}/inference`, { time: 0.5 })));
      const statuses = answers.map((a) => a.status);
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(4);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
      expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
      expect(answers.find((a) => a.status === 429)!.body).toBe('too many request: task queue is full');
    } finally {
      await server.stop();
    }
  });

  it('answers 413 for a body over MOSEC_MAX_REQUEST_SIZE', async () => {
    const server = await startService(ECHO, { MOSEC_MAX_REQUEST_SIZE: '100' });
    try {
      const answer = await post(`${server.url}/inference`, JSON.stringify({ time: 0, pad: 'x'.repeat(200) }));
      expect(answer).toMatchObject({ status: 413, body: 'request body is too large' });
      expect((await post(`${server.url}/inference`, { time: 0 })).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
