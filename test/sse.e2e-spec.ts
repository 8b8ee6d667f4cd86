import { RunningServer, startService } from './support/server';
import { postForEvents } from './support/sse';

describe('sse example: a StreamWorker answers with server-sent events', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startService('examples/sse/main.js');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('streams five message events with the text, then closes', async () => {
    const answer = await postForEvents(`${server.url}/inference`, { text: 'mosec' });
    expect(answer.status).toBe(200);
    expect(answer.type).toMatch(/^text\/event-stream/);
    expect(answer.events).toEqual(Array.from({ length: 5 }, () => ({ event: 'message', data: 'mosec' })));
  });

  it('sends one error event with the text mosec sends when the request fails, then closes', async () => {
    const answer = await postForEvents(`${server.url}/inference`, { bad: 'req' });
    expect(answer.status).toBe(200);
    expect(answer.events).toEqual([
      { event: 'error', data: 'SSE inference error: 422: Unprocessable Content: request validation error: text is required' },
    ]);
  });

  it('gives each client of a batch its own events', async () => {
    const texts = ['one', 'two', 'three', 'four'];
    const answers = await Promise.all(texts.map((text) => postForEvents(`${server.url}/inference`, { text })));
    answers.forEach((answer, i) => {
      expect(answer.events).toEqual(Array.from({ length: 5 }, () => ({ event: 'message', data: texts[i] })));
    });
  });
});
