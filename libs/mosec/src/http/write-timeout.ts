import type { FastifyReply, FastifyRequest } from 'fastify';
import { LimitLog } from './limit-log';

/**
 * An `onSend` hook: an answer that its client has not taken within `ms` of its first byte (all of it
 * handed to the operating system, `finish`) has its connection closed. A client that never reads
 * would otherwise hold its answer's buffers, and its request's bytes in the budget, for as long as it
 * likes. On HTTP/2 only the stream is closed. A streamed answer (a file, say) is left alone: its length
 * is its own; Server-Sent Events are written past the hooks.
 */
export function limitWrite(ms: number) {
  const log = new LimitLog('writeTimeout');
  return function writeWithin(request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (error: null, payload: unknown) => void): void {
    if (typeof (payload as { pipe?: unknown } | null)?.pipe === 'function') return done(null, payload);
    const response = reply.raw;
    const timer = setTimeout(() => {
      log.warn(`an answer was not taken within writeTimeout (${ms} ms): its connection is closed`);
      request.raw.socket?.destroy();
    }, ms);
    timer.unref();
    const stop = () => clearTimeout(timer);
    response.once('finish', stop);
    response.once('close', stop);
    done(null, payload);
  };
}
