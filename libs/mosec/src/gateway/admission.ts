import { Priority, PRIORITY_NAMES } from '../engine/task-queue';
import { ANSWERS } from '../mosec.messages';
import { BurstMemory } from './burst-memory';

/** The header a request's priority comes in. */
export const PRIORITY_HEADER = 'x-mosec-priority';

/** Headers a request may have (Node's own count, which otherwise drops the rest, `Content-Length` among them). */
const MAX_HEADERS = 2000;

export type PriorityName = (typeof PRIORITY_NAMES)[number];

/** The level of `high`, `normal` or `low` (normal when absent); undefined for anything else. */
export function priorityLevel(value: string | string[] | undefined): number | undefined {
  if (value === undefined) return Priority.NORMAL;
  const level = PRIORITY_NAMES.indexOf(String(value).trim().toLowerCase() as PriorityName);
  return level >= 0 ? level : undefined;
}

/** A request turned away before it costs anything: its status, its answer, and the option it reached, if one. */
export interface Refusal {
  status: number;
  body: string;
  limit?: 'compression' | 'maxBytesInFlight';
}

export interface AdmissionLimits {
  maxRequestSize: number;
  maxBytesInFlight: number;
  capacity: number;
  /** Compressed request bodies are taken (and answers compressed) only when this is on. */
  compression: boolean;
}

/** What admission needs to know of the service. */
export interface AdmissionState {
  readonly accepting: boolean;
  readonly draining: boolean;
  /** Tasks accepted and not answered yet. */
  readonly activeTasks: number;
}

/** What a transport knows of a request before reading its body; what it does not know, it leaves out. */
export interface AdmissionAsk {
  headerCount?: number;
  priority?: string | string[];
  /** Its declared size (`Content-Length`). */
  bytes?: number;
  /** Its body comes compressed. */
  compressed?: boolean;
}

/** An admitted request's bytes, counted until it is released. */
export interface Hold {
  bytes: number;
  /** Its body is still being read (it is not a task yet). */
  reading: boolean;
  /** Answered or its client gone: it counts no more, whatever is still decoding for it. */
  released: boolean;
}

/**
 * Whether the service takes a request, decided for every transport (HTTP routes, the pipeline client)
 * before the request costs anything: 431 for more than 2,000 headers, 400 for an `X-Mosec-Priority`
 * that is not one, 413 over `maxRequestSize`, 415 for a compressed body while `compression` is off,
 * 503 while not serving, 429 when `capacity` requests are already held (being read, or tasks), or when
 * its bytes would pass `maxBytesInFlight`, or when the engine's queue refuses it. An admitted request's
 * bytes count until it is released; a body larger than declared is counted as it arrives (`grow`).
 * So what clients can make the service hold is bounded, whatever they send.
 */
export class Admission {
  private bytes = 0;
  private reading = 0;
  private readonly burst = new BurstMemory();

  constructor(
    private readonly limits: AdmissionLimits,
    private readonly service: AdmissionState,
  ) {}

  /** Bytes held now (for the metrics and the log). */
  get bytesInFlight(): number {
    return this.bytes;
  }

  get maxBytesInFlight(): number {
    return this.limits.maxBytesInFlight;
  }

  /** Why the request is refused, or undefined when the service takes it. */
  check(ask: AdmissionAsk): Refusal | undefined {
    const bytes = ask.bytes ?? 0;
    if ((ask.headerCount ?? 0) > MAX_HEADERS) return { status: 431, body: ANSWERS.tooManyHeaders };
    if (priorityLevel(ask.priority) === undefined) return { status: 400, body: ANSWERS.badPriority };
    if (bytes > this.limits.maxRequestSize) return { status: 413, body: ANSWERS.tooLarge };
    if (ask.compressed && !this.limits.compression) return { status: 415, body: ANSWERS.compressionOff, limit: 'compression' };
    const unavailable = this.serving();
    if (unavailable) return unavailable;
    if (this.service.activeTasks + this.reading >= this.limits.capacity) return this.full();
    if (this.bytes + bytes > this.limits.maxBytesInFlight) return this.overBudget();
    return undefined;
  }

  /** 503 while the service is not taking requests (warming up, or draining). */
  serving(): Refusal | undefined {
    return this.service.accepting ? undefined : this.unavailable();
  }

  /** The 503 answer: why the service does not serve now. */
  unavailable(): Refusal {
    return { status: 503, body: this.service.draining ? ANSWERS.shuttingDown : ANSWERS.notReady };
  }

  /** The 429 answer of a full queue. */
  full(): Refusal {
    return { status: 429, body: ANSWERS.tooMany };
  }

  /** The 429 answer of a request whose bytes would pass the budget. */
  overBudget(): Refusal {
    return { status: 429, body: ANSWERS.overBudget, limit: 'maxBytesInFlight' };
  }

  /** Counts an admitted request's declared bytes, and the request as being read. */
  hold(bytes: number): Hold {
    this.bytes += bytes;
    this.reading++;
    this.burst.held(this.bytes);
    return { bytes, reading: true, released: false };
  }

  /**
   * Counts a request as `total` bytes once it turns out larger than counted; false when that passes
   * the budget, or when the request is released already (its client gone: stop reading for it).
   */
  grow(held: Hold, total: number): boolean {
    if (held.released) return false;
    if (total <= held.bytes) return true;
    if (this.bytes + total - held.bytes > this.limits.maxBytesInFlight) return false;
    this.bytes += total - held.bytes;
    held.bytes = total;
    this.burst.held(this.bytes);
    return true;
  }

  /** The body is read and decoded (`size` bytes, its decoder gone): from here the engine counts the request as a task. */
  bodyRead(held: Hold, size?: number): void {
    if (!held.reading) return;
    held.reading = false;
    this.reading--;
    if (size === undefined || held.released || size >= held.bytes) return;
    this.bytes -= held.bytes - size;
    held.bytes = size;
    this.burst.held(this.bytes);
  }

  /** Answered, or its client gone: its bytes count no more. */
  release(held: Hold): void {
    if (held.released) return;
    held.released = true;
    this.bytes -= held.bytes;
    held.bytes = 0;
    this.bodyRead(held);
    this.burst.held(this.bytes);
  }
}
