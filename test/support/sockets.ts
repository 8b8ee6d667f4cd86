import { connect, Socket } from 'node:net';
import type { RunningServer } from './server';

/** Opens a connection to the server and resolves once it is connected. */
export function open(server: RunningServer): Promise<Socket> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.on('error', reject);
  });
}

/** Resolves with what the server wrote and how long after `since` it closed the connection. */
export function closed(socket: Socket, since: number): Promise<{ answer: string; afterMs: number }> {
  let answer = '';
  socket.on('data', (data) => (answer += data));
  socket.removeAllListeners('error');
  socket.on('error', () => undefined);
  return new Promise((resolve) => socket.once('close', () => resolve({ answer, afterMs: Date.now() - since })));
}
