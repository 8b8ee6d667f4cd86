import { constants, type Http2SecureServer, type Http2Server, type Http2ServerRequest, type Http2ServerResponse, type Http2Session } from 'node:http2';
import { ANSWERS } from '../mosec.messages';

const TEXT = 'text/plain; charset=utf-8';
/** Node exports no class of its HTTP/2 servers to test against. */
const HTTP2_SERVERS = new Set(['Http2Server', 'Http2SecureServer']);
const SESSIONS = Symbol('mosec.sessions');

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
 * as on HTTP/1.
 */
export function limitHttp2Server(server: AnyHttp2Server, limits: { readTimeout: number; idleTimeout: number }): void {
  const sessions = new Set<Http2Session>();
  server[SESSIONS] = sessions;
  server.on('session', (session: Http2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
    // Replaces fastify's own session timeout (http2SessionTimeout) with the service's idle time.
    session.setTimeout(limits.idleTimeout, () => session.close());
  });
  server.on('request', (request: Http2ServerRequest, response: Http2ServerResponse) => {
    // An HTTP/1 request (a TLS server with allowHTTP1) has no stream; a stream that ended with its headers has no body to wait for.
    if (request.httpVersionMajor < 2 || request.stream.endAfterHeaders) return;
    const timer = setTimeout(() => endSlowRequest(request, response), limits.readTimeout);
    timer.unref();
    request.stream.once('close', () => clearTimeout(timer));
  });
}

/** A request still sending its body: 408 if nothing was answered yet, and its stream closed. */
function endSlowRequest(request: Http2ServerRequest, response: Http2ServerResponse): void {
  const stream = request.stream;
  if (stream.destroyed || stream.state.remoteClose) return;
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
