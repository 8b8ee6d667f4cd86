import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeControl, FrameKind, FrameReader } from './frame';
import type { HelloMessage } from '../worker/worker-spec';

export type FrameHandler = (kind: number, body: Buffer) => void;

/** The HTTP process's side of one worker: it takes the worker's socket and handles its frames. */
export interface WorkerEndpoint {
  attach(socket: Socket): FrameHandler;
}

/**
 * The Unix socket workers connect to, in a private directory (mode 0700, removed at close): nothing
 * outside this user can reach a worker. Each connection starts with a hello naming its token.
 */
export class WorkerSocketServer {
  readonly dir = mkdtempSync(join(tmpdir(), 'mosec-'));
  readonly path = join(this.dir, 'workers.sock');
  private readonly server: Server;
  private readonly expected = new Map<string, WorkerEndpoint>();

  constructor() {
    this.server = createServer((socket) => this.accept(socket));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.path, () => resolve());
    });
  }

  expect(token: string, endpoint: WorkerEndpoint): void {
    this.expected.set(token, endpoint);
  }

  forget(token: string): void {
    this.expected.delete(token);
  }

  private accept(socket: Socket): void {
    socket.setNoDelay?.(true);
    let handler: FrameHandler | undefined;
    const reader = new FrameReader((kind, body) => {
      if (handler) return handler(kind, body);
      const endpoint = kind === FrameKind.HELLO ? this.expected.get(decodeControl<HelloMessage>(body).token) : undefined;
      if (!endpoint) return void socket.destroy();
      handler = endpoint.attach(socket);
    });
    socket.on('data', (chunk) => {
      try {
        reader.push(chunk);
      } catch {
        socket.destroy();
      }
    });
    socket.on('error', () => socket.destroy());
  }

  close(): void {
    this.server.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
