import { constants, type ServerHttp2Stream, type Http2SecureServer, type Http2Server, type Http2ServerRequest, type Http2ServerResponse, type Http2Session } from 'node:http2';
import { Logger } from '@nestjs/common';
import { ANSWERS } from '../mosec.messages';

const TEXT = 'text/plain; charset=utf-8';
/** Node exports no class of its HTTP/2 servers to test against. */
const HTTP2_SERVERS = new Set(['Http2Server', 'Http2SecureServer']);
const SESSIONS = Symbol('mosec.sessions');
/** Set on a stream the service reset itself (a slow body): not the client's reset. */
const RESET_BY_US = Symbol('mosec.resetByUs');
/** The window `maxStreamResets` counts in. */
export const STREAM_RESET_WINDOW_MS = 10_000;
const logger = new Logger('Mosec');

export type AnyHttp2Server = (Http2Server | Http2SecureServer) & { [SESSIONS]?: Set<Http2Session> };

/** Whether the application serves HTTP/2 (`new FastifyAdapter({ http2: true })`). */
export function isHttp2Server(server: object): server is AnyHttp2Server {
  return HTTP2_SERVERS.has(server.constructor.name);
}

/**
 * The HTTP/1 limits an HTTP/2 server has no option for. Its streams share one connection, so what
 * Node does per connection on HTTP/1 is done here per session or per stream: a session with no
 * traffic for `idleTimeout` is closed (GOAWAY: its streams finish first), and a request whose body is
 * not all in within `readTimeout` of its headers is answered 408 and its stream reset (HTTP/1 closes
 * the connection; here the session's other streams go on). A stream arrives with its headers whole,
 * so there is no per-request headers timeout; a connection that sends no request at all is closed
 * as on HTTP/1. A client that resets more than `maxStreamResets` streams within 10 s is closed
 * (`capStreamResets`).
 */
export function limitHttp2Server(server: AnyHttp2Server, limits: { readTimeout: number; idleTimeout: number; maxStreamResets: number }): void {
  const sessions = new Set<Http2Session>();
  server[SESSIONS] = sessions;
  server.on('session', (session: Http2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
    // Replaces fastify's own session timeout (http2SessionTimeout) with the service's idle time.
    session.setTimeout(limits.idleTimeout, () => session.close());
    capStreamResets(session, limits.maxStreamResets);
  });
  server.on('request', (request: Http2ServerRequest, response: Http2ServerResponse) => {
    // An HTTP/1 request (a TLS server with allowHTTP1) has no stream; a stream that ended with its headers has no body to wait for.
    if (request.httpVersionMajor < 2 || request.stream.endAfterHeaders) return;
    const timer = setTimeout(() => endSlowRequest(request, response), limits.readTimeout);
    timer.unref();
    request.stream.once('close', () => clearTimeout(timer));
  });
  skipResetStreams(server);
}

/**
 * Hands each request to the application (Fastify's listener, and ours above) one macrotask after
 * its stream opened. By then nghttp2 has read the rest of what came with its headers: a stream that
 * the client reset at once (rapid reset) is destroyed, and is dropped without costing a route, its
 * hooks and an error answer nobody reads (measured: about as much CPU as a whole request). Any
 * other request waits a few microseconds.
 */
function skipResetStreams(server: AnyHttp2Server): void {
  const listeners = server.listeners('request') as Array<(request: Http2ServerRequest, response: Http2ServerResponse) => void>;
  server.removeAllListeners('request');
  server.on('request', (request: Http2ServerRequest, response: Http2ServerResponse) => {
    setImmediate(() => {
      if (request.stream?.destroyed) return;
      for (const listener of listeners) listener.call(server, request, response);
    });
  });
}

/**
 * HTTP/2 rapid reset: streams opened and reset at once cost the service a request each while the
 * client pays nearly nothing, and are not counted against the concurrent-streams limit. Past
 * `maxStreamResets` streams reset by the client (before their answer ended) within 10 s, the session
 * is closed with GOAWAY ENHANCE_YOUR_CALM, as nghttp2 and the big proxies do.
 */
function capStreamResets(session: Http2Session, maxStreamResets: number): void {
  let resets = 0;
  let windowStart = Date.now();
  session.on('stream', (stream: ServerHttp2Stream & { [RESET_BY_US]?: boolean }) => {
    stream.once('close', () => {
      if (stream.rstCode === constants.NGHTTP2_NO_ERROR || stream[RESET_BY_US] || session.destroyed) return;
      const now = Date.now();
      if (now - windowStart > STREAM_RESET_WINDOW_MS) {
        windowStart = now;
        resets = 0;
      }
      if (++resets <= maxStreamResets) return;
      const { remoteAddress, remotePort } = session.socket ?? {};
      logger.warn(
        `HTTP/2 connection from ${remoteAddress}:${remotePort} closed (ENHANCE_YOUR_CALM): it reset more than ${maxStreamResets} streams within ${STREAM_RESET_WINDOW_MS / 1000} s (maxStreamResets, MOSEC_MAX_STREAM_RESETS)`,
      );
      // goaway() and destroy(): destroy's own GOAWAY would say NO_ERROR without an Error (which it would emit).
      session.goaway(constants.NGHTTP2_ENHANCE_YOUR_CALM);
      setImmediate(() => session.destroy());
    });
  });
}

/** A request still sending its body: 408 if nothing was answered yet, and its stream closed. */
function endSlowRequest(request: Http2ServerRequest, response: Http2ServerResponse): void {
  const stream = request.stream;
  if (stream.destroyed || stream.state.remoteClose) return;
  (stream as { [RESET_BY_US]?: boolean })[RESET_BY_US] = true;
  if (response.headersSent) return void stream.close(constants.NGHTTP2_CANCEL);
  response.writeHead(408, { 'content-type': TEXT });
  // NO_ERROR after a complete answer: the client stops sending and still reads the answer (RFC 9113, 8.1).
  response.end(ANSWERS.readTimeout, () => stream.close(constants.NGHTTP2_NO_ERROR));
}

/**
 * At shutdown (the requests are drained by then): every session is told to open no more streams
 * (GOAWAY; an idle one closes at once, as idle HTTP/1 connections do), and those still open after
 * `graceMs` are cut, as `closeAllConnections()` cuts HTTP/1 connections.
 */
export function closeHttp2Sessions(server: AnyHttp2Server, graceMs: number): void {
  const sessions = server[SESSIONS];
  if (!sessions) return;
  for (const session of sessions) session.close();
  setTimeout(() => sessions.forEach((session) => session.destroy()), graceMs).unref();
}
