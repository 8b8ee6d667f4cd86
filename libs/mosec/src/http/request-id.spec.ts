import Fastify from 'fastify';
import { assignRequestId, REQUEST_ID_HEADER } from './request-id';

describe('assignRequestId', () => {
  const app = Fastify();
  app.addHook('onRequest', assignRequestId);
  // What a stage asking for the header would get.
  app.get('/', async (request) => ({ seen: request.headers[REQUEST_ID_HEADER] }));
  let url: string;
  // A real server: fastify's inject loads an ES module that Jest cannot require on Node 20.
  beforeAll(async () => {
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => app.close());
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const answer = await fetch(`${url}${path}`, { headers });
    return { statusCode: answer.status, id: answer.headers.get('x-request-id'), body: answer.status === 200 ? await answer.json() : await answer.text() };
  };

  it("keeps the client's own id, on the answer and on the request", async () => {
    const answer = await get('/', { 'x-request-id': 'trace-42.a:b/c+d=e@f' });
    expect(answer.id).toBe('trace-42.a:b/c+d=e@f');
    expect(answer.body).toEqual({ seen: 'trace-42.a:b/c+d=e@f' });
  });

  it.each([
    ['none', undefined],
    ['one with a space', 'a b'],
    ['one over 128 characters', 'x'.repeat(129)],
    ['one with a quote', 'a"b'],
  ])('makes a UUID for %s', async (_what, sent) => {
    const answer = await get('/', sent === undefined ? {} : { 'x-request-id': sent });
    expect(answer.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(answer.body).toEqual({ seen: answer.id });
  });

  it('answers 404s with one too', async () => {
    const answer = await get('/nowhere');
    expect(answer.statusCode).toBe(404);
    expect(answer.id).toMatch(/^[0-9a-f-]{36}$/);
  });
});
