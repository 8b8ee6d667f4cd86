import { readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkName, PayloadStore } from '../protocol/shared-payload-spec';

/**
 * Payloads as files of a tmpfs directory (`/dev/shm`): the writer copies a result into memory once,
 * the reader copies it out once, and the HTTP process only passes the name on. Files are created
 * owner-only, in a directory that is owner-only too.
 */
export class ShmStore implements PayloadStore {
  constructor(private readonly dir: string) {}

  async put(name: string, bytes: Buffer): Promise<void> {
    this.putNow(name, bytes);
  }

  async take(name: string): Promise<Buffer> {
    return this.takeNow(name);
  }

  /** `put` without a promise: the HTTP process stores a request body as it submits it. */
  putNow(name: string, bytes: Buffer): void {
    writeFileSync(this.path(name), bytes, { mode: 0o600, flag: 'wx' });
  }

  /** `take` without a promise: one read of a tmpfs file, as the HTTP process answers. */
  takeNow(name: string): Buffer {
    const path = this.path(name);
    const bytes = readFileSync(path);
    unlinkSync(path);
    return bytes;
  }

  async delete(name: string): Promise<void> {
    try {
      unlinkSync(this.path(name));
    } catch {
      // already taken, or never written
    }
  }

  /** The names starting with `prefix` (a worker's), for sweeping after the worker died. */
  namesOf(prefix: string): string[] {
    try {
      return readdirSync(this.dir).filter((name) => name.startsWith(prefix));
    } catch {
      return [];
    }
  }

  async close(): Promise<void> {}

  private path(name: string): string {
    return join(this.dir, checkName(name));
  }
}
