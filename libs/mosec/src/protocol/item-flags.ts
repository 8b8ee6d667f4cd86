/**
 * Per-item flags carried with each payload to a worker, so a stage shared by several routes knows,
 * item by item, whether it decodes a request body, encodes a response, and with which codec.
 */
export const ItemFlags = {
  /** The payload is a request body: decode it with the stage's `deserialize` (or the request codec). */
  INGRESS: 1,
  /** The result is a response body: encode it with the stage's `serialize` (or the response codec). */
  EGRESS: 2,
  /** Bits 2-3: how the request body is encoded (see RequestCodec). */
  REQUEST_CODEC_SHIFT: 2,
  REQUEST_CODEC_MASK: 0b1100,
  /** The client asked for a msgpack response. */
  RESPONSE_MSGPACK: 16,
  /** The request payload is already decoded (msgpack of the value the first stage's `forward` takes). */
  PREDECODED: 32,
  /** The item carries request metadata (the headers its stage asked for) after its payload. */
  META: 64,
  /** The caller wants the last stage's value itself (msgpack), not the HTTP body its `serialize` would write. */
  VALUE: 128,
  /** The payload is the name of a shared payload (see ipc/): the worker reads it from there, and deletes it. */
  SHARED: 256,
  /** The next stage reads shared payloads: a large result may be put there, its name sent instead. */
  MAY_SHARE: 512,
} as const;

/** Set on a RESULT item's status when its body is the name of a shared payload, not the payload. */
export const SHARED_RESULT = 0x8000;

export const RequestCodec = { JSON: 0, MSGPACK: 1, BYTES: 2, TEXT: 3 } as const;
