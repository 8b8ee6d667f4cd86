import { Packr } from 'msgpackr';
import { post } from './support/server';
import { SharedService, sharedService } from './support/shared-service';

const msgpack = new Packr({ useRecords: false });

async function postMsgpack(url: string, body: Buffer, accept?: string): Promise<{ status: number; type: string | null; body: Buffer }> {
  const headers: Record<string, string> = { 'content-type': 'application/msgpack' };
  if (accept) headers.accept = accept;
  const response = await fetch(url, { method: 'POST', headers, body: new Uint8Array(body) });
  return { status: response.status, type: response.headers.get('content-type'), body: Buffer.from(await response.arrayBuffer()) };
}

describe('echo example with msgpack: the codec is chosen per request', () => {
  let server: SharedService;
  const url = () => `${server.url}/inference`;
  beforeAll(async () => {
    server = await sharedService('examples/echo/main.js');
  });

  it('decodes a msgpack body and answers msgpack when Accept asks for it', async () => {
    const answer = await postMsgpack(url(), msgpack.pack({ time: 0.01 }), 'application/msgpack');
    expect(answer.status).toBe(200);
    expect(answer.type).toMatch(/^application\/msgpack/);
    expect(msgpack.unpack(answer.body)).toEqual({ msg: 'sleep 0.01 seconds' });
  });

  it('answers JSON to a msgpack body without that Accept, and msgpack to a JSON body with it', async () => {
    const json = await postMsgpack(url(), msgpack.pack({ time: 0 }));
    expect(json.type).toMatch(/^application\/json/);
    expect(JSON.parse(json.body.toString())).toEqual({ msg: 'sleep 0 seconds' });
    const packed = await post(url(), { time: 0 }, { accept: 'application/msgpack' });
    expect(packed.type).toMatch(/^application\/msgpack/);
  });

  it('serves JSON and msgpack clients at once, each in its own codec', async () => {
    const answers = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        i % 2 ? postMsgpack(url(), msgpack.pack({ time: 0.05 }), 'application/msgpack') : post(url(), { time: 0.05 }).then((a) => ({ ...a, body: Buffer.from(a.body) })),
      ),
    );
    answers.forEach((answer, i) => {
      expect(answer.status).toBe(200);
      const value = i % 2 ? msgpack.unpack(answer.body) : JSON.parse(answer.body.toString());
      expect(value).toEqual({ msg: 'sleep 0.05 seconds' });
    });
  });

  it('answers 400 for bytes that are not msgpack', async () => {
    const truncated = Buffer.from([0x82, 0xa1, 0x61]); // a map of two entries, cut in its first key
    const answer = await postMsgpack(url(), truncated);
    expect(answer.status).toBe(400);
    expect(answer.body.toString()).toMatch(/^decoding error: invalid msgpack/);
  });
});
