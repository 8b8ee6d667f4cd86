import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const REQUEST_ID_HEADER = 'x-request-id';

/** What a client's own request id may be: short, and nothing a log line or a header would mangle. */
const CLIENT_ID = /^[A-Za-z0-9._:/+=@-]{1,128}$/;

/**
 * Gives every request an id on every answer (`X-Request-Id`): the client's own when it is a safe one,
 * else a new UUID. The request carries it too, so a stage that asks for the header
 * (`@Stage({ headers: ['x-request-id'] })`) gets the same id, and the log line of a 5xx names it.
 */
export function assignRequestId(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  const sent = request.headers[REQUEST_ID_HEADER];
  const id = typeof sent === 'string' && CLIENT_ID.test(sent) ? sent : randomUUID();
  request.headers[REQUEST_ID_HEADER] = id;
  reply.header(REQUEST_ID_HEADER, id);
  done();
}

/** The id `assignRequestId` gave the request's answer. */
export function requestIdOf(reply: FastifyReply): string {
  return String(reply.getHeader(REQUEST_ID_HEADER) ?? '-');
}
