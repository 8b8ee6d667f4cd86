import { ItemFlags, RequestCodec } from '../protocol/item-flags';

const MSGPACK = /^application\/(x-)?msgpack\b/i;

const BINARY = /^(application\/octet-stream|image\/|audio\/|video\/)/i;

/**
 * The request codec from `Content-Type`: msgpack, raw bytes for binary media, a string for text/*,
 * and JSON for everything else (as mosec, which decodes JSON whatever the header says: `curl -d`
 * sends JSON labelled as a form).
 */
export function requestCodecFor(contentType: string | undefined): number {
  if (!contentType) return RequestCodec.JSON;
  if (MSGPACK.test(contentType)) return RequestCodec.MSGPACK;
  if (BINARY.test(contentType)) return RequestCodec.BYTES;
  if (/^text\//i.test(contentType)) return RequestCodec.TEXT;
  return RequestCodec.JSON;
}

/** Codec flags of a request: how to decode its body and whether the client wants msgpack back. */
export function codecFlagsFor(contentType: string | undefined, accept: string | undefined): number {
  let flags = requestCodecFor(contentType) << ItemFlags.REQUEST_CODEC_SHIFT;
  if (accept && /application\/(x-)?msgpack/i.test(accept)) flags |= ItemFlags.RESPONSE_MSGPACK;
  return flags;
}

export function responseContentType(codecFlags: number): string {
  return codecFlags & ItemFlags.RESPONSE_MSGPACK ? 'application/msgpack' : 'application/json';
}
