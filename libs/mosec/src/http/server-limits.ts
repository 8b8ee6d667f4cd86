import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { AnyHttp2Server, closeHttp2Sessions, isHttp2Server, limitHttp2Server } from './http2-limits';

export interface ServerLimits {
  headersTimeout: number;
  readTimeout: number;
  idleTimeout: number;
  /** Undefined: what the open-files limit leaves. */
  maxConnections?: number;
  /** Worker processes: each holds file descriptors of the HTTP process. */
  workers: number;
  /** HTTP/2: streams a client may reset within 10 s before its connection is closed. */
  maxStreamResets: number;
}

/** Descriptors kept for what is not a client connection: workers' sockets and pipes, files, logs. */
const RESERVED_FDS = 64;
const FDS_PER_WORKER = 4;
/** How often Node checks the headers and read deadlines (its default, 30 s, makes them that late). */
const CHECK_INTERVAL_MS = 1000;

/**
 * Bounds what a client can hold of the HTTP server: the time to send headers (also on a connection
 * that sends nothing at all, which Node leaves open) and a whole request (408, then closed), the idle
 * time between requests, the number of connections (under the open-files limit, so that accepting
 * one can never take the descriptor a worker or a file needs), and the number of headers (a request
 * with more than Node's 2,000 would lose the rest, `Content-Length` among them: they count against
 * the header size instead, 431). On HTTP/2 the limits are kept per session and stream instead
 * (`limitHttp2Server`). Returns the connection cap, the open-files limit it came from, and what the
 * timeouts are, for the startup log.
 */
export function limitServer(server: Server | AnyHttp2Server, limits: ServerLimits): { maxConnections: number; fdLimit?: number; timeouts: string } {
  const fdLimit = openFilesLimit();
  const available = fdLimit === undefined ? undefined : fdLimit - RESERVED_FDS - FDS_PER_WORKER * limits.workers;
  if (available !== undefined && available < 1) throw new Error(`the open-files limit (ulimit -n ${fdLimit}) leaves no descriptor for client connections: raise it`);
  if (limits.maxConnections !== undefined && available !== undefined && limits.maxConnections > available) {
    throw new Error(
      `maxConnections ${limits.maxConnections} is more than the open-files limit (ulimit -n ${fdLimit}) leaves for connections (${available}): ` +
        'raise the limit or lower maxConnections',
    );
  }
  const maxConnections = limits.maxConnections ?? available ?? 10_000;
  server.maxConnections = maxConnections;
  closeSilentConnections(server, limits.headersTimeout);
  if (isHttp2Server(server)) {
    limitHttp2Server(server, limits);
    const timeouts =
      `HTTP/2: a request is read within ${limits.readTimeout} ms, a connection sends its first within ${limits.headersTimeout} ms, ` +
      `an idle session is kept ${limits.idleTimeout} ms (no headers timeout per request: a stream arrives with its headers whole)`;
    return { maxConnections, fdLimit, timeouts };
  }
  server.headersTimeout = limits.headersTimeout;
  server.requestTimeout = limits.readTimeout;
  server.keepAliveTimeout = limits.idleTimeout;
  server.maxHeadersCount = 0;
  // Read by Node when the server starts listening.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = CHECK_INTERVAL_MS;
  const timeouts = `a request is read within ${limits.readTimeout} ms (headers ${limits.headersTimeout} ms), an idle connection kept ${limits.idleTimeout} ms`;
  return { maxConnections, fdLimit, timeouts };
}

/** At shutdown, once the requests are drained: the connections still open are cut after `graceMs`. */
export function closeConnections(server: Server | AnyHttp2Server, graceMs: number): void {
  if (isHttp2Server(server)) return closeHttp2Sessions(server, graceMs);
  setTimeout(() => server.closeAllConnections(), graceMs).unref();
}

const SPOKE = Symbol('mosec.spoke');
type TrackedSocket = Socket & { [SPOKE]?: boolean };

/**
 * A connection whose first request's headers have not all arrived within `ms` is closed: Node's own
 * headers timeout leaves a connection that never sends a byte open forever.
 */
function closeSilentConnections(server: Server | AnyHttp2Server, ms: number): void {
  server.on('request', (request: { socket: Socket }) => {
    // On HTTP/2 the request's socket is a view of its session's, and this is set on that one.
    (request.socket as TrackedSocket)[SPOKE] = true;
  });
  server.on('connection', (socket: TrackedSocket) => {
    const timer = setTimeout(() => socket[SPOKE] || socket.destroy(), ms);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  });
}

/** The soft limit on open files of this process (Linux), or undefined where it cannot be read. */
export function openFilesLimit(): number | undefined {
  try {
    const line = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return line && line[1] !== 'unlimited' ? Number(line[1]) : undefined;
  } catch {
    return undefined;
  }
}
