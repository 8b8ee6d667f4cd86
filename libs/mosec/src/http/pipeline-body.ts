import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { ANSWERS } from '../mosec.messages';
import { bodyDecoding } from './body-decoding';
import { refuse, RequestAdmission } from './request-admission';

const TEXT = 'text/plain; charset=utf-8';
const EMPTY = Buffer.alloc(0);
/** The body headers fastify looks at to decide whether to parse a body. */
const BODY_HEADERS = ['content-type', 'content-length', 'transfer-encoding'] as const;
const SET_ASIDE = Symbol('mosec.bodyHeaders');

type PipelineRequest = FastifyRequest & { [SET_ASIDE]?: Partial<Record<(typeof BODY_HEADERS)[number], string>> };

/**
 * The body of a pipeline route, read by the route itself instead of a content-type parser: bytes
 * whatever the `Content-Type` (the first stage decodes them in its worker), undone from its
 * `Content-Encoding`, at most `maxBytes` before and after decompression, and counted against the
 * bytes in flight as it arrives where it is larger than declared (`RequestAdmission` refused what
 * the headers already said was too much). Fastify parses no body when a request has no body headers,
 * so they are set aside while it decides and put back before anything else sees the request
 * (`restoreBodyHeaders`).
 */
export function readPipelineBody(maxBytes: number, admission: RequestAdmission) {
  const tooLarge = (request: FastifyRequest, reply: FastifyReply) => refuse(request, reply, 413, ANSWERS.tooLarge, maxBytes);
  const overBudget = (request: FastifyRequest, reply: FastifyReply) => admission.refuseOverBudget(request, reply);
  return function readBody(request: FastifyRequest, reply: FastifyReply, payload: Readable, done: (error?: Error | null) => void): void {
    const headers = request.raw.headers;
    const encoding = (headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    const decoding = encoding === 'identity' ? undefined : bodyDecoding(encoding);
    if (encoding !== 'identity' && !decoding) {
      reply.code(415).type(TEXT).send(`bad request: unsupported Content-Encoding: ${encoding}`);
      return;
    }
    const finish = (body: Buffer) => {
      (request as { body?: unknown }).body = body;
      setAside(request as PipelineRequest, headers);
      admission.bodyRead(request, body.length);
      done();
    };
    if (!decoding) {
      const limits = { maxBytes, grow: (total: number) => admission.grow(request, total) };
      return collect(payload, limits, finish, (over) => (over === 'size' ? tooLarge : overBudget)(request, reply), done);
    }
    const { decoder } = decoding;
    // What the decoder holds besides its output counts too, from before it sees a byte.
    let window = 0;
    const limits = { maxBytes, grow: (total: number) => admission.grow(request, total + window) };
    let received = 0;
    let stopped = false;
    const stop = (refusal: typeof tooLarge) => {
      if (stopped) return;
      stopped = true;
      decoder.destroy();
      payload.resume();
      refusal(request, reply);
    };
    // Answered, timed out or gone: the decoder goes, and what it held with it.
    reply.raw.once('close', () => decoder.destroy());
    payload.on('data', (chunk: Buffer) => {
      if (stopped) return;
      if (received === 0) window = decoding.windowOf(chunk);
      received += chunk.length;
      if (received > maxBytes) return stop(tooLarge);
      if (received === chunk.length && !limits.grow(0)) return stop(overBudget);
      if (!decoder.write(chunk)) {
        payload.pause();
        decoder.once('drain', () => payload.resume());
      }
    });
    payload.once('end', () => stopped || decoder.end());
    collect(decoder, limits, finish, (over) => stop(over === 'size' ? tooLarge : overBudget), (error) => {
      if (stopped || reply.sent) return;
      stopped = true;
      reply.code(400).type(TEXT).send(`bad request: the body is not valid ${encoding}: ${error.message}`);
    });
  };
}

/** Puts the body headers back, for guards, interceptors, the handler and the logs (a `preValidation` hook). */
export function restoreBodyHeaders(request: FastifyRequest, _reply: FastifyReply, done: () => void): void {
  const saved = (request as PipelineRequest)[SET_ASIDE];
  if (saved) Object.assign(request.raw.headers, saved);
  done();
}

function setAside(request: PipelineRequest, headers: IncomingHttpHeaders): void {
  const saved: Partial<Record<(typeof BODY_HEADERS)[number], string>> = {};
  for (const name of BODY_HEADERS) {
    const value = headers[name];
    if (value === undefined) continue;
    saved[name] = value as string;
    // Undefined rather than deleted: the headers object keeps its shape.
    headers[name] = undefined;
  }
  request[SET_ASIDE] = saved;
}

/** Reads a stream to its end, calling `refused` instead once it passes `maxBytes` or the bytes in flight. */
function collect(
  stream: Readable,
  limits: { maxBytes: number; grow: (total: number) => boolean },
  done: (body: Buffer) => void,
  refused: (over: 'size' | 'budget') => void,
  failed: (error: Error) => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  stream.on('data', (chunk: Buffer) => {
    if (over) return;
    size += chunk.length;
    const limit = size > limits.maxBytes ? 'size' : limits.grow(size) ? undefined : 'budget';
    if (limit) {
      over = true;
      chunks.length = 0;
      return refused(limit);
    }
    chunks.push(chunk);
  });
  stream.once('end', () => {
    if (!over) done(chunks.length === 1 ? chunks[0] : chunks.length === 0 ? EMPTY : Buffer.concat(chunks, size));
  });
  stream.once('error', (error) => {
    if (!over) failed(error);
  });
}
