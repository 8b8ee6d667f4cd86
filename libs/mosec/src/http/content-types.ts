import { ItemFlags, RequestCodec } from '../protocol/item-flags';

const MSGPACK = /^application\/(x-)?msgpack\b/i;

const BINARY = /^(application\/octet-stream|image\/|audio\/|video\/)/i;

/**
 * The request codec from `Content-Type`: msgpack, raw bytes for binary media, a string for text/*,
 * and JSON for everything else (as mosec, which decodes JSON whatever the header says: `curl -d`
 * sends JSON labelled as a form; browsers are kept out by `browserFormRefusal`).
 */
export function requestCodecFor(contentType: string | undefined): number {
  if (!contentType) return RequestCodec.JSON;
  if (MSGPACK.test(contentType)) return RequestCodec.MSGPACK;
  if (BINARY.test(contentType)) return RequestCodec.BYTES;
  if (/^text\//i.test(contentType)) return RequestCodec.TEXT;
  return RequestCodec.JSON;
}

/**
 * Codec flags of a request: how to decode its body and whether the client wants msgpack back. On a
 * msgpack route (`@Pipeline({ codec: 'msgpack' })`) a body without `Content-Type` is msgpack, and so
 * is the answer unless `Accept` names a type (rather than accepting any).
 */
export function codecFlagsFor(contentType: string | undefined, accept: string | undefined, codec: 'json' | 'msgpack' = 'json'): number {
  const msgpackRoute = codec === 'msgpack';
  let flags = (!contentType && msgpackRoute ? RequestCodec.MSGPACK : requestCodecFor(contentType)) << ItemFlags.REQUEST_CODEC_SHIFT;
  if (accept ? MSGPACK_ACCEPTED.test(accept) || (msgpackRoute && ANYTHING.test(accept)) : msgpackRoute) flags |= ItemFlags.RESPONSE_MSGPACK;
  return flags;
}

/** The bodies a page can make a browser post to any site without asking it first (CORS's simple requests). */
const BROWSER_FORM = /^\s*(application\/x-www-form-urlencoded|multipart\/form-data|text\/plain)\b/i;

/**
 * The 415 answer to a form or text body sent by a browser page (it has an `Origin`) to a route the
 * service decodes: such a body is a cross-site form post (another site's page making its visitors'
 * browsers call the service), never a client of the API, which sends JSON or msgpack. Clients
 * that are not browsers send no `Origin`, so `curl -d` (a form type) is still read as JSON.
 */
export function browserFormRefusal(contentType: string | undefined, origin: string | undefined): string | undefined {
  if (origin === undefined || !contentType || !BROWSER_FORM.test(contentType)) return undefined;
  const type = contentType.split(';')[0].trim().toLowerCase();
  return `unsupported media type: this route takes JSON or msgpack (Content-Type: application/json or application/msgpack), not ${type} from a browser page`;
}

const MSGPACK_ACCEPTED = /application\/(x-)?msgpack/i;
/** An `Accept` of any type (what curl and many clients send by default): no preference. */
const ANYTHING = /^\s*\*\/\*\s*(;[^,]*)?$/;

export function responseContentType(codecFlags: number): string {
  return codecFlags & ItemFlags.RESPONSE_MSGPACK ? 'application/msgpack' : 'application/json';
}
