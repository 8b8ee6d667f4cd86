/**
 * Where stages put results of `threshold` bytes or more for the next stage to read, so that only
 * their names pass through the HTTP process (mosec's shared-memory IPC): files in a directory of
 * `/dev/shm` that only the service's user can open, or keys in a Redis server.
 */
export type SharedPayloadSpec =
  | { store: 'shm'; threshold: number; dir: string }
  | { store: 'redis'; threshold: number; url: string; keyPrefix: string; ttlMs: number };

/** What one store does for a worker: names are made by the writer, unique in the service. */
export interface PayloadStore {
  put(name: string, bytes: Buffer): Promise<void>;
  /** Reads a payload and deletes it: a payload is read once, by the next stage. */
  take(name: string): Promise<Buffer>;
  /** Deletes a payload no stage will read (its task ended); a missing one is no error. */
  delete(name: string): Promise<void>;
  close(): Promise<void>;
}

/** Names are the writer's prefix and a counter: nothing that could leave the store's directory. */
export function checkName(name: string): string {
  if (!/^[\w.-]{1,200}$/.test(name) || name.startsWith('.')) throw new Error(`bad shared payload name "${name}"`);
  return name;
}
