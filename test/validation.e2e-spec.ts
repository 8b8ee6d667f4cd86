import { Packr } from 'msgpackr';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { openApiProblems } from './support/openapi-check';
import { post, RunningServer, startService } from './support/server';

const msgpack = new Packr({ useRecords: false });
const line = { sku: 'tea-01', quantity: 2, price: 3.5 };
const order = { customer: 'ada', lines: [line] };

describe('validation example: request DTOs checked in the HTTP process', () => {
  let server: RunningServer;
  const url = () => `${server.url}/inference`;
  beforeAll(async () => {
    // Compression on, for the test of compressed answers below.
    server = await startService('examples/validation/main.js', { MOSEC_COMPRESSION: '1' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('passes a valid order to the stage without the properties the DTO does not declare', async () => {
    const answer = await post(url(), { ...order, coupon: 'FREE' });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ customer: 'ada', total: 7, fields: ['customer', 'lines'] });
  });

  it('answers 422 with every failing property path and its messages, nested arrays included', async () => {
    const answer = await post(url(), { customer: '', lines: [line, { sku: 'tea-02', quantity: 0, price: 'free' }] });
    expect(answer.status).toBe(422);
    expect(answer.type).toMatch(/^application\/json/);
    expect(JSON.parse(answer.body)).toEqual({
      message: 'request validation error',
      errors: [
        { property: 'customer', messages: ['customer should not be empty'] },
        { property: 'lines.1.quantity', messages: ['quantity must not be less than 1'] },
        {
          property: 'lines.1.price',
          messages: [
            'price must not be greater than 1000000',
            'price must not be less than 0',
            'price must be a number conforming to the specified constraints',
          ],
        },
      ],
    });
  });

  it('refuses undeclared properties on the route that forbids them', async () => {
    const answer = await post(`${server.url}/strict`, { ...order, coupon: 'FREE' });
    expect(answer.status).toBe(422);
    expect(JSON.parse(answer.body).errors).toEqual([{ property: 'coupon', messages: ['property coupon should not exist'] }]);
    expect((await post(`${server.url}/strict`, order)).status).toBe(200);
  });

  it('checks msgpack bodies too', async () => {
    const headers = { 'content-type': 'application/msgpack', accept: 'application/msgpack' };
    const ok = await fetch(url(), { method: 'POST', headers, body: new Uint8Array(msgpack.pack(order)) });
    expect(msgpack.unpack(Buffer.from(await ok.arrayBuffer()))).toMatchObject({ customer: 'ada', total: 7 });
    const bad = await fetch(url(), { method: 'POST', headers, body: new Uint8Array(msgpack.pack({ customer: 'ada', lines: [] })) });
    expect(bad.status).toBe(422);
    expect((await bad.json()).errors).toEqual([{ property: 'lines', messages: ['lines must contain at least 1 elements'] }]);
  });

  it('fails only the order the stage rejects, not the rest of its batch', async () => {
    let wholeBatch = false;
    for (let round = 0; round < 5 && !wholeBatch; round++) {
      const orders = Array.from({ length: 8 }, (_, i) => (i === 3 ? { customer: 'bob', lines: [{ ...line, sku: 'discontinued-7' }] } : { ...order, customer: `c${i}` }));
      const answers = await Promise.all(orders.map((body) => post(url(), body)));
      expect(answers[3]).toMatchObject({ status: 422, body: 'request validation error: discontinued-7 is discontinued' });
      const served = answers.filter((_, i) => i !== 3).map((answer) => JSON.parse(answer.body));
      served.forEach((body, k) => expect(body.customer).toBe(`c${k < 3 ? k : k + 1}`));
      wholeBatch = served.some((body) => body.batchSize === orders.length);
    }
    expect(wholeBatch).toBe(true);
  });

  it('accepts gzip, br and deflate bodies, and compresses large answers when asked', async () => {
    const body = Buffer.from(JSON.stringify(order));
    for (const [encoding, packed] of [['gzip', gzipSync(body)], ['br', brotliCompressSync(body)], ['deflate', deflateSync(body)]] as const) {
      const answer = await post(url(), packed, { 'content-encoding': encoding });
      expect(answer.status).toBe(200);
    }
    const manyBadLines = { customer: 'ada', lines: Array.from({ length: 30 }, () => ({ sku: '', quantity: 0, price: -1 })) };
    for (const encoding of ['gzip', 'br']) {
      const response = await fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json', 'accept-encoding': encoding }, body: JSON.stringify(manyBadLines) });
      expect(response.status).toBe(422);
      expect(response.headers.get('content-encoding')).toBe(encoding);
      expect((await response.json()).errors).toHaveLength(90);
    }
    const small = await fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json', 'accept-encoding': 'gzip' }, body: JSON.stringify(order) });
    expect(small.headers.get('content-encoding')).toBeNull();
  });

  it('describes the nested DTOs in the OpenAPI document', async () => {
    const document = await (await fetch(`${server.url}/openapi/metadata.json`)).json();
    expect(openApiProblems(document)).toEqual([]);
    expect(document.info.title).toBe('Orders');
    const schemas = document.components.schemas;
    expect(schemas.OrderRequest.properties.lines).toEqual({
      type: 'array',
      items: { $ref: '#/components/schemas/OrderLine' },
      minItems: 1,
      maxItems: 1000,
    });
    expect(schemas.OrderLine.required).toEqual(['sku', 'quantity', 'price']);
    expect(document.paths['/strict'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/OrderRequest' });
    expect(document.paths['/inference'].post.responses['422'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/MosecValidationFailure' });
  });
});
