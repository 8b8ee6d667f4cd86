import type { Server } from 'node:net';

/** How often a busy port is tried again. */
const RETRY_EVERY_MS = 200;

/**
 * Makes `server.listen()` wait for a port that is in use, for up to `windowMs`, instead of failing
 * with EADDRINUSE at once. Under `nest start --watch` the new application starts while the previous
 * one may still drain its requests on the port (the CLI waits for its shell, not for the app); the
 * previous one lets go of the port within its shutdown timeout. A port that stays taken fails as
 * before, after the window.
 */
export function waitForBusyPort(server: Server, windowMs: number, warn: (message: string) => void): void {
  const listen = server.listen;
  server.listen = function retryingListen(this: Server, ...args: unknown[]) {
    const deadline = Date.now() + windowMs;
    const emit = server.emit;
    let warned = false;
    let retry: NodeJS.Timeout | undefined;
    // Fastify learns the outcome from the server's events: a busy port's 'error' is held back while it is retried.
    server.emit = function (this: Server, event: string | symbol, ...rest: unknown[]): boolean {
      const error = rest[0] as NodeJS.ErrnoException | undefined;
      if (event === 'error' && error?.code === 'EADDRINUSE' && Date.now() < deadline) {
        if (!warned) warn(`${error.message}: trying again for up to ${windowMs} ms (a previous instance still draining, as under nest start --watch?)`);
        warned = true;
        retry = setTimeout(() => listen.apply(server, args as Parameters<Server['listen']>), RETRY_EVERY_MS);
        return true;
      }
      // Closed while waiting (the application stopped): no more tries.
      if (event === 'close') clearTimeout(retry);
      if (event === 'listening' || event === 'error' || event === 'close') server.emit = emit;
      return (emit as (event: string | symbol, ...args: unknown[]) => boolean).call(this, event, ...rest);
    } as Server['emit'];
    return listen.apply(this, args as Parameters<Server['listen']>);
  } as Server['listen'];
}
