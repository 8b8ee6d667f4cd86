import { createServer, Server } from 'node:net';
import { waitForBusyPort } from './busy-port';

function listening(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', () => resolve((server.address() as { port: number }).port));
    server.listen({ port, host: '127.0.0.1' });
  });
}

describe('waitForBusyPort', () => {
  const servers: Server[] = [];
  const server = () => {
    const made = createServer();
    servers.push(made);
    return made;
  };
  afterEach(() => servers.splice(0).forEach((made) => made.close()));

  it('listens once the previous holder lets go of the port, within the window, saying so once', async () => {
    const previous = server();
    const port = await listening(previous);
    const next = server();
    const warnings: string[] = [];
    waitForBusyPort(next, 5000, (message) => warnings.push(message));
    const started = listening(next, port);
    setTimeout(() => previous.close(), 300);
    await expect(started).resolves.toBe(port);
    expect(warnings).toEqual([expect.stringMatching(/EADDRINUSE.*trying again for up to 5000 ms/)]);
  });

  it('fails with EADDRINUSE when the port stays taken past the window', async () => {
    const port = await listening(server());
    const next = server();
    waitForBusyPort(next, 300, () => undefined);
    const began = Date.now();
    await expect(listening(next, port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect(Date.now() - began).toBeGreaterThanOrEqual(300);
  });

  it('stops trying once the server is closed while it waits', async () => {
    const previous = server();
    const port = await listening(previous);
    const next = server();
    waitForBusyPort(next, 5000, () => undefined);
    void listening(next, port).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 100));
    next.close();
    previous.close();
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(next.listening).toBe(false);
  });
});
