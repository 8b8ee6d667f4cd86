import type { Redis } from 'ioredis';
import { checkName, PayloadStore } from '../protocol/shared-payload-spec';

/**
 * Payloads as keys of a Redis server (mosec's Redis IPC), for services that already run one: each key
 * expires after `ttlMs` (longer than any request may take), so none outlives its request even when
 * the process that should delete it is gone. Needs the `ioredis` package.
 */
export class RedisStore implements PayloadStore {
  private readonly redis: Redis;

  constructor(url: string, private readonly keyPrefix: string, private readonly ttlMs: number) {
    let IORedis: typeof import('ioredis').default;
    try {
      IORedis = require('ioredis');
    } catch {
      throw new Error('ipc: { redis } needs the ioredis package: npm install ioredis');
    }
    // Fail fast when Redis is down: a request waits for no reconnection, it fails with 500.
    this.redis = new IORedis(url, { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: true });
    this.redis.on('error', () => undefined); // each command that fails says why
  }

  async put(name: string, bytes: Buffer): Promise<void> {
    await this.redis.set(this.key(name), bytes, 'PX', this.ttlMs);
  }

  async take(name: string): Promise<Buffer> {
    const bytes = await this.redis.getdelBuffer(this.key(name));
    if (!bytes) throw new Error(`shared payload ${name} is gone`);
    return bytes;
  }

  async delete(name: string): Promise<void> {
    await this.redis.del(this.key(name)).catch(() => undefined);
  }

  /** Answers once Redis does: a service whose Redis is not there does not start. */
  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }

  private key(name: string): string {
    return this.keyPrefix + checkName(name);
  }
}
