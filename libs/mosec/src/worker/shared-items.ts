import type { Logger } from '@nestjs/common';
import { ItemFlags, SHARED_RESULT } from '../protocol/item-flags';
import { openStore } from '../ipc/open-store';
import type { PayloadStore, SharedPayloadSpec } from '../protocol/shared-payload-spec';

/**
 * A worker's side of shared payloads: a frame's items that name a shared payload get its bytes (an
 * item whose payload is gone keeps its `SHARED` flag and fails alone), and large results for a next
 * stage that reads shared payloads are put there, their names sent instead.
 */
export class SharedItems {
  private readonly store: PayloadStore;
  private written = 0;
  private warned = false;

  /** `prefix`: this worker's, so that what it wrote can be swept after it dies. */
  constructor(
    private readonly spec: SharedPayloadSpec,
    private readonly prefix: string,
    private readonly logger: Logger,
  ) {
    this.store = openStore(spec);
  }

  async resolve(flags: number[], bodies: Buffer[]): Promise<void> {
    for (let i = 0; i < flags.length; i++) {
      if (!(flags[i] & ItemFlags.SHARED)) continue;
      try {
        bodies[i] = await this.store.take(bodies[i].toString('latin1'));
        flags[i] &= ~ItemFlags.SHARED;
      } catch (error) {
        this.logger.debug?.(`shared payload ${bodies[i].toString('latin1')}: ${(error as Error).message}`);
      }
    }
  }

  async share(flags: number[], statuses: number[], bodies: Buffer[]): Promise<void> {
    for (let i = 0; i < flags.length; i++) {
      if (!(flags[i] & ItemFlags.MAY_SHARE) || statuses[i] !== 200 || bodies[i].length < this.spec.threshold) continue;
      const name = `${this.prefix}-${++this.written}`;
      try {
        await this.store.put(name, bodies[i]);
        bodies[i] = Buffer.from(name, 'latin1');
        statuses[i] |= SHARED_RESULT;
      } catch (error) {
        // A full /dev/shm (a container's is 64 MiB unless told otherwise), Redis away: the socket still works.
        if (!this.warned) this.logger.warn(`shared payloads: ${(error as Error).message}; large results go through the HTTP process meanwhile`);
        this.warned = true;
        void this.store.delete(name);
      }
    }
  }
}
