import { createHash } from 'node:crypto';

/** Most payloads a stage remembers at once: past it, the oldest is forgotten first. */
const MAX_REMEMBERED = 1024;

/**
 * Payloads that crashed a stage's workers twice, remembered by content for `ms`, so that a request
 * sent again in a loop is answered at once instead of killing worker after worker.
 */
export class Quarantine {
  /** Content hash → when it is let in again (monotonic ms). Insertion order is expiry order. */
  private readonly until = new Map<string, number>();

  constructor(readonly ms: number) {}

  /** Remembers a payload; true when it was not quarantined already (false too when quarantine is off, `ms` 0). */
  add(payload: Buffer, at: number): boolean {
    if (this.ms <= 0) return false;
    const key = hashOf(payload);
    const held = (this.until.get(key) ?? 0) > at;
    this.until.delete(key);
    this.until.set(key, at + this.ms);
    if (this.until.size > MAX_REMEMBERED) this.until.delete(this.until.keys().next().value!);
    return !held;
  }

  /** Whether the payload is quarantined now (hashed only while something is). */
  holds(payload: Buffer, at: number): boolean {
    for (const [key, until] of this.until) {
      if (until > at) break;
      this.until.delete(key);
    }
    if (this.until.size === 0) return false;
    return (this.until.get(hashOf(payload)) ?? 0) > at;
  }
}

function hashOf(payload: Buffer): string {
  return createHash('sha256').update(payload).digest('base64');
}
