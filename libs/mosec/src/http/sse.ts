import type { FastifyReply } from 'fastify';
import { STATUS_CODES } from 'node:http';

/** mosec's reason phrases in the `error` event (its TaskCode texts). */
const REASONS: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
};

/** A comment line every few seconds keeps proxies from closing a quiet stream (mosec: 3 s). */
const KEEP_ALIVE_MS = 3000;

/** One event in the text/event-stream format; a multi-line text becomes several `data:` lines. */
export function formatEvent(text: string, event?: string): string {
  const data = text
    .split(/\r\n|\r|\n/)
    .map((line) => `data: ${line}`)
    .join('\n');
  return `${event ? `event: ${event}\n` : ''}${data}\n\n`;
}

/** The data of the `error` event for a failed request, as mosec writes it. */
export function errorEventData(status: number, body: string): string {
  return `SSE inference error: ${status}: ${REASONS[status] ?? STATUS_CODES[status] ?? 'Error'}: ${body}`;
}

/**
 * The answer of a streaming route: 200 `text/event-stream` as soon as the request is accepted, one
 * `message` event per stream event of the stage, and when the request is done the stream closes,
 * after an `error` event if it failed. Written straight to the socket (the reply is hijacked): no
 * buffering, no compression.
 */
export class EventStream {
  private opened = false;
  private keepAlive?: NodeJS.Timeout;

  constructor(private readonly reply: FastifyReply) {}

  private get writable(): boolean {
    return !this.reply.raw.destroyed && !this.reply.raw.writableEnded;
  }

  open(): void {
    if (this.opened) return;
    this.opened = true;
    this.reply.hijack();
    this.reply.raw.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      // HTTP/2 forbids connection headers (Node drops it with a warning): its streams never close the connection.
      ...(this.reply.request.raw.httpVersionMajor < 2 ? { connection: 'keep-alive' } : {}),
      'x-accel-buffering': 'no',
    });
    this.keepAlive = setInterval(() => this.writable && this.reply.raw.write(':\n\n'), KEEP_ALIVE_MS);
    this.keepAlive.unref();
  }

  /** A stage's stream event: one `message` event. */
  readonly message = (data: Buffer): void => {
    this.open();
    if (this.writable) this.reply.raw.write(formatEvent(data.toString('utf8')));
  };

  /** The request is done: an `error` event if it failed, then the end of the stream. */
  readonly finish = (status: number, body: Buffer | string): void => {
    this.open();
    clearInterval(this.keepAlive);
    if (!this.writable) return;
    if (status !== 200) this.reply.raw.write(formatEvent(errorEventData(status, body.toString()), 'error'));
    this.reply.raw.end();
  };
}
