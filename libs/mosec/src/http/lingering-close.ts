import type { IncomingMessage, ServerResponse } from 'node:http';

/** How long, and how many more bytes, a client still uploading a refused body is read for. */
const LINGER_MS = 5_000;
/** How long a cut HTTP/1 connection stays half-closed before it is reset. */
const RESET_AFTER_MS = 1_000;

/**
 * Keeps reading (and dropping) the rest of a body that was refused before it was read (413), so that
 * a client still uploading it can finish and read the answer: closing the socket under its upload
 * makes clients such as fetch fail with EPIPE instead. Bounded as nginx's lingering close is: after
 * `maxBytes` more bytes or `LINGER_MS`, the connection is cut. A body read to its end leaves the
 * connection open for the client's next request.
 */
export function lingerForUpload(request: IncomingMessage, response: ServerResponse, maxBytes: number): void {
  if (request.complete) return;
  // Never before the answer is out: it is what the lingering is for.
  let cutting = false;
  const cut = () => {
    if (cutting) return;
    cutting = true;
    if (response.writableFinished) close(request);
    else response.once('finish', () => close(request));
  };
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

/**
 * Stops reading and closes our side first (FIN), resetting the connection only a moment later: a
 * reset at once would make the client's system drop the answer it has not read yet, as nginx's
 * lingering close knows. An HTTP/2 request's `socket` stands for its stream alone: destroyed at once.
 */
function close(request: IncomingMessage): void {
  const socket = request.socket;
  if (request.httpVersionMajor >= 2) return void socket.destroy();
  socket.pause();
  socket.end();
  setTimeout(() => socket.destroy(), RESET_AFTER_MS).unref();
}
