import { Packr } from 'msgpackr';
import { request } from 'node:http';
import { RunningServer, startService } from './support/server';

const msgpack = new Packr({ useRecords: false });

interface Raw {
  status: number;
  type?: string;
  body: Buffer;
}

/** A POST with exactly the headers given (Node's http client adds no Accept or Content-Type), as mosec's Python clients send. */
function rawPost(url: string, body: Buffer, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-length': String(body.length), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe("@Pipeline({ codec: 'msgpack' }): mosec's msgpack clients, which send no headers (real processes)", () => {
  let server: RunningServer;
  const url = () => `${server.url}/inference`;
  beforeAll(async () => {
    server = await startService('test/fixtures/msgpack-route/main.js');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('decodes a body without Content-Type as msgpack and answers msgpack to a request without Accept', async () => {
    const answer = await rawPost(url(), msgpack.pack({ image: [1, 2, 3], name: 'cat' }));
    expect(answer.status).toBe(200);
    expect(answer.type).toMatch(/^application\/msgpack/);
    expect(msgpack.unpack(answer.body)).toEqual({ got: { image: [1, 2, 3], name: 'cat' }, bytes: false });
  });

  it('answers msgpack to fetch, which sends Accept: */* and no Content-Type for bytes', async () => {
    const response = await fetch(url(), { method: 'POST', body: new Uint8Array(msgpack.pack({ n: 7 })) });
    expect(response.headers.get('content-type')).toMatch(/^application\/msgpack/);
    expect(msgpack.unpack(Buffer.from(await response.arrayBuffer()))).toEqual({ got: { n: 7 }, bytes: false });
  });

  it('still follows explicit headers: a JSON body, and a JSON answer when Accept asks for it', async () => {
    const answer = await rawPost(url(), Buffer.from('{"n":1}'), { 'content-type': 'application/json', accept: 'application/json' });
    expect(answer.type).toMatch(/^application\/json/);
    expect(JSON.parse(answer.body.toString())).toEqual({ got: { n: 1 }, bytes: false });
    const bytes = await rawPost(url(), Buffer.from([1, 2, 3]), { 'content-type': 'application/octet-stream' });
    expect(msgpack.unpack(bytes.body)).toMatchObject({ bytes: true });
  });

  it('answers 400 to a body without Content-Type that is not msgpack', async () => {
    const answer = await rawPost(url(), Buffer.from([0x92, 0x01])); // an array of two with one item
    expect(answer.status).toBe(400);
    expect(answer.body.toString()).toMatch(/^decoding error/);
  });

  it('lists msgpack first in the OpenAPI document', async () => {
    const document = await (await fetch(`${server.url}/openapi/metadata.json`)).json();
    const operation = document.paths['/inference'].post;
    expect(Object.keys(operation.requestBody.content)[0]).toBe('application/msgpack');
    expect(Object.keys(operation.responses['200'].content)[0]).toBe('application/msgpack');
  });
});
