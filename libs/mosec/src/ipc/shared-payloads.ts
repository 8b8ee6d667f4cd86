import { Logger } from '@nestjs/common';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SharedPayloadOwner } from '../engine/engine';
import { RedisStore } from './redis-store';
import type { PayloadStore, SharedPayloadSpec } from '../protocol/shared-payload-spec';
import { ShmStore } from './shm-store';
import { ownedPrefix, removeStaleDirectories } from './stale-shm';

const SHM = '/dev/shm';

/** What the service was told: `'shm'`, `'socket'` (no shared payloads), or a Redis server. */
export type IpcChoice = 'shm' | 'socket' | { redis: string };

/**
 * The HTTP process's side of shared payloads: makes the store (an owner-only directory in /dev/shm,
 * or a key prefix in Redis), knows which payloads tasks still hold, deletes those whose task ended,
 * sweeps what a dead worker wrote and never reported, and removes everything when the service stops.
 * A watcher outside the process group removes the directory if the HTTP process is killed outright.
 */
export class SharedPayloads implements SharedPayloadOwner {
  private readonly live = new Set<string>();
  private written = 0;

  private constructor(
    readonly spec: SharedPayloadSpec,
    private readonly store: PayloadStore,
  ) {}

  /** The store the choice names, or undefined for `'socket'` (and for `'shm'` where there is no /dev/shm, saying so). */
  static open(choice: IpcChoice, threshold: number, timeoutMs: number, logger: Logger): SharedPayloads | undefined {
    if (choice === 'socket') return undefined;
    if (choice === 'shm') {
      try {
        accessSync(SHM, constants.W_OK);
      } catch {
        logger.warn(`ipc 'shm': ${SHM} is not writable here; payloads between stages go through the HTTP process`);
        return undefined;
      }
      // A service killed with its watcher (SIGKILL of the whole tree) left its directory: removed now.
      for (const stale of removeStaleDirectories(SHM)) logger.log(`ipc 'shm': removed ${stale.dir}, left by pid ${stale.pid}, which is gone`);
      const dir = mkdtempSync(join(SHM, ownedPrefix())); // mode 0700, named after its owner
      const shared = new SharedPayloads({ store: 'shm', threshold, dir }, new ShmStore(dir));
      shared.watchForDeath(dir);
      return shared;
    }
    // Longer than a request may live: a key nobody deletes (its worker died after writing it) expires.
    const spec = { store: 'redis', threshold, url: choice.redis, keyPrefix: `mosec:${randomBytes(6).toString('hex')}:`, ttlMs: timeoutMs + 60_000 } as const;
    return new SharedPayloads(spec, new RedisStore(spec.url, spec.keyPrefix, spec.ttlMs));
  }

  /** Resolves once the store answers (Redis reachable); rejects, saying why, otherwise. */
  async check(): Promise<void> {
    if (this.store instanceof RedisStore) {
      await this.store.ping().catch((error: Error) => {
        throw new Error(`ipc: Redis at ${(this.spec as { url: string }).url} does not answer: ${error.message}`);
      });
    }
  }

  describe(): string {
    const above = `payloads of ${formatBytes(this.spec.threshold)} or more between stages`;
    return this.spec.store === 'shm' ? `${above} go through ${this.spec.dir}` : `${above} go through Redis at ${this.spec.url}`;
  }

  get threshold(): number {
    return this.spec.threshold;
  }

  /** The HTTP process reads and writes payloads itself only where that is one system call: a file in /dev/shm. */
  get storesAnswers(): boolean {
    return this.store instanceof ShmStore;
  }

  put(payload: Buffer): Buffer | undefined {
    if (!(this.store instanceof ShmStore)) return undefined;
    const name = `h-${++this.written}`;
    try {
      this.store.putNow(name, payload);
    } catch {
      void this.store.delete(name); // what a full /dev/shm took of it
      return undefined; // the body goes in the frame
    }
    const reference = Buffer.from(name, 'latin1');
    this.adopt(reference);
    return reference;
  }

  take(name: Buffer): Buffer {
    const text = name.toString('latin1');
    this.live.delete(text);
    return (this.store as ShmStore).takeNow(text);
  }

  adopt(name: Buffer): void {
    this.live.add(name.toString('latin1'));
  }

  taken(name: Buffer): void {
    this.live.delete(name.toString('latin1'));
  }

  free(name: Buffer): void {
    const text = name.toString('latin1');
    this.live.delete(text);
    void this.store.delete(text);
  }

  /** Deletes what a worker that is gone wrote and no task holds (it died before it could report it). */
  sweep(prefix: string): void {
    if (!(this.store instanceof ShmStore)) return; // Redis keys expire
    for (const name of this.store.namesOf(`${prefix}-`)) if (!this.live.has(name)) void this.store.delete(name);
  }

  /** Removes the store's content (after the workers have stopped). */
  async close(): Promise<void> {
    this.live.clear();
    if (this.spec.store === 'shm') rmSync(this.spec.dir, { recursive: true, force: true });
    await this.store.close();
  }

  /**
   * A `sh` waits for this process to end, however it ends (`kill -9`, a crash, a signal to the whole
   * group), and removes the directory. It runs in the background of a shell that exits at once, so it
   * is in a session of its own and no child of ours (the service's children are its workers).
   */
  private watchForDeath(dir: string): void {
    // GNU tail waits for a pid without forking; elsewhere, a check a second.
    const script = '(tail --pid="$1" -f /dev/null 2>/dev/null || while kill -0 "$1" 2>/dev/null; do sleep 1; done; rm -rf -- "$0") >/dev/null 2>&1 & exit 0';
    try {
      const shell = spawn('/bin/sh', ['-c', script, dir, String(process.pid)], { stdio: 'ignore', detached: true });
      shell.on('error', () => undefined);
      shell.unref();
    } catch {
      // No shell: the directory is still removed on every orderly stop.
    }
  }
}

function formatBytes(bytes: number): string {
  return bytes >= 1048576 && bytes % 1048576 === 0 ? `${bytes / 1048576} MiB` : bytes >= 1024 && bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}
