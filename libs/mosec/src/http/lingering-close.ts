import type { IncomingMessage, ServerResponse } from 'node:http';

/** How long, and how many more bytes, a client still uploading a refused body is read for. */
const LINGER_MS = 5_000;

/**
 * Keeps reading (and dropping) the rest of a body that was refused before it was read (413), so that
 * a client still uploading it can finish and read the answer: closing the socket under its upload
 * makes clients such as fetch fail with EPIPE instead. Bounded as nginx's lingering close is: after
 * `maxBytes` more bytes or `LINGER_MS`, the connection is cut. A body read to its end leaves the
 * connection open for the client's next request.
 */
export function lingerForUpload(request: IncomingMessage, response: ServerResponse, maxBytes: number): void {
  if (request.complete) return;
  const socket = request.socket;
  // Never before the answer is out: it is what the lingering is for.
  const cut = () => (response.writableFinished ? socket.destroy() : response.once('finish', () => socket.destroy()));
  const timer = setTimeout(cut, LINGER_MS).unref();
  let read = 0;
  request.on('data', (chunk: Buffer) => {
    read += chunk.length;
    if (read > maxBytes) cut();
  });
  request.once('end', () => clearTimeout(timer));
  request.once('close', () => clearTimeout(timer));
  request.resume();
}
