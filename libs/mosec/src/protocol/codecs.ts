import { Packr } from 'msgpackr';
import { DecodingError, EncodingError } from '../errors';
import { ItemFlags, RequestCodec } from './item-flags';
import { withinNesting } from './nesting';

/**
 * Standard msgpack (no record extension), so any client library reads what we send. `variableMapSize`
 * writes a map's size in the width it needs: the default always writes 16 bits and throws past 65,535
 * keys, so a map the decoder took could not go on to the next stage.
 */
const msgpack = new Packr({ useRecords: false, moreTypes: true, variableMapSize: true });

export const CONTENT_TYPES = {
  json: 'application/json',
  msgpack: 'application/msgpack',
} as const;

/** The request content type a codec stands for (what a custom `deserialize` is told). */
export function contentTypeOf(codec: number): string {
  return ['application/json', 'application/msgpack', 'application/octet-stream', 'text/plain'][codec];
}

export function requestCodecOf(flags: number): number {
  return (flags & ItemFlags.REQUEST_CODEC_MASK) >> ItemFlags.REQUEST_CODEC_SHIFT;
}

/** Request body bytes to a value, by the codec the HTTP process chose from `Content-Type`. */
export function decodeRequest(codec: number, data: Buffer): unknown {
  switch (codec) {
    case RequestCodec.BYTES:
      return data;
    case RequestCodec.TEXT:
      return data.toString('utf8');
    case RequestCodec.MSGPACK:
      if (data.length === 0) throw new DecodingError('empty request body');
      try {
        return withinNesting(msgpack.unpack(data), data.length);
      } catch (error) {
        throw new DecodingError(`invalid msgpack: ${(error as Error).message}`);
      }
    default:
      if (data.length === 0) throw new DecodingError('empty request body');
      try {
        return withinNesting(JSON.parse(data.toString('utf8')), data.length);
      } catch (error) {
        throw new DecodingError(`invalid JSON: ${(error as Error).message}`);
      }
  }
}

/** A decoded JSON or msgpack request body back to bytes in the same codec (after validation). */
export function encodeRequest(codec: number, value: unknown): Buffer {
  return codec === RequestCodec.MSGPACK ? msgpack.pack(value) : Buffer.from(JSON.stringify(value));
}

/** A value to response body bytes: msgpack when the client asked for it, JSON otherwise. */
export function encodeResponse(flags: number, value: unknown): Buffer {
  if (flags & ItemFlags.RESPONSE_MSGPACK) return msgpack.pack(value);
  if (Buffer.isBuffer(value)) return value;
  const json = JSON.stringify(value);
  if (json === undefined) throw new EncodingError('the result cannot be encoded as JSON');
  return Buffer.from(json);
}

/** Between stages: msgpack keeps typed arrays and Buffers as they are, with no base64. */
export function encodeIpc(value: unknown): Buffer {
  return msgpack.pack(value);
}

export function decodeIpc(data: Buffer): unknown {
  return msgpack.unpack(data);
}

/** What the body of a raw string/Buffer result from a custom `serialize` becomes. */
export function toBuffer(data: Buffer | string): Buffer {
  return typeof data === 'string' ? Buffer.from(data) : data;
}
