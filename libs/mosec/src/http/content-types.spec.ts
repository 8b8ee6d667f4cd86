import { ItemFlags, RequestCodec } from '../protocol/item-flags';
import { browserFormRefusal, codecFlagsFor, requestCodecFor, responseContentType } from './content-types';

describe('content negotiation', () => {
  it.each([
    [undefined, RequestCodec.JSON],
    ['application/json; charset=utf-8', RequestCodec.JSON],
    ['application/x-www-form-urlencoded', RequestCodec.JSON],
    ['application/msgpack', RequestCodec.MSGPACK],
    ['application/x-msgpack', RequestCodec.MSGPACK],
    ['application/octet-stream', RequestCodec.BYTES],
    ['image/png', RequestCodec.BYTES],
    ['text/plain', RequestCodec.TEXT],
  ])('decodes %p as codec %p', (type, codec) => {
    expect(requestCodecFor(type)).toBe(codec);
  });

  it('answers msgpack only when Accept asks for it', () => {
    expect(codecFlagsFor('application/json', 'application/msgpack') & ItemFlags.RESPONSE_MSGPACK).toBeTruthy();
    expect(responseContentType(codecFlagsFor('application/msgpack', undefined))).toBe('application/json');
  });

  describe("on a msgpack route (@Pipeline({ codec: 'msgpack' }))", () => {
    const requestCodec = (flags: number) => (flags & ItemFlags.REQUEST_CODEC_MASK) >> ItemFlags.REQUEST_CODEC_SHIFT;

    it('decodes a body without Content-Type as msgpack, and follows one that is given', () => {
      expect(requestCodec(codecFlagsFor(undefined, undefined, 'msgpack'))).toBe(RequestCodec.MSGPACK);
      expect(requestCodec(codecFlagsFor('application/json', undefined, 'msgpack'))).toBe(RequestCodec.JSON);
      expect(requestCodec(codecFlagsFor(undefined, undefined, 'json'))).toBe(RequestCodec.JSON);
    });

    it.each([
      [undefined, 'application/msgpack'],
      ['*/*', 'application/msgpack'],
      ['*/*;q=0.8', 'application/msgpack'],
      ['application/json', 'application/json'],
      ['application/json, */*', 'application/json'],
      ['application/msgpack', 'application/msgpack'],
    ])('answers Accept %p with %p', (accept, type) => {
      expect(responseContentType(codecFlagsFor(undefined, accept, 'msgpack'))).toBe(type);
    });
  });

  describe('form and text bodies', () => {
    it.each(['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/plain;charset=UTF-8', 'TEXT/PLAIN'])(
      'refuses %p from a browser page (it sends Origin, also "null")',
      (type) => {
        expect(browserFormRefusal(type, 'https://evil.example')).toMatch(/^unsupported media type: .* from a browser page$/);
        expect(browserFormRefusal(type, 'null')).toBeDefined();
      },
    );

    it('takes them from clients that send no Origin (curl -d), and takes JSON, msgpack and binary types from anyone', () => {
      expect(browserFormRefusal('application/x-www-form-urlencoded', undefined)).toBeUndefined();
      for (const type of [undefined, 'application/json', 'application/msgpack', 'application/octet-stream', 'text/csv']) {
        expect(browserFormRefusal(type, 'https://evil.example')).toBeUndefined();
      }
    });
  });
});
