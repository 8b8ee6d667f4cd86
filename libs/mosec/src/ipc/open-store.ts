import { RedisStore } from './redis-store';
import type { PayloadStore, SharedPayloadSpec } from '../protocol/shared-payload-spec';
import { ShmStore } from './shm-store';

export function openStore(spec: SharedPayloadSpec): PayloadStore {
  return spec.store === 'shm' ? new ShmStore(spec.dir) : new RedisStore(spec.url, spec.keyPrefix, spec.ttlMs);
}
