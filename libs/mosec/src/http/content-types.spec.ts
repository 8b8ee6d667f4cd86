import { ItemFlags, RequestCodec } from '../protocol/item-flags';
import { codecFlagsFor, requestCodecFor, responseContentType } from './content-types';

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
});
