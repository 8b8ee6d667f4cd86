import type { FastifyReply, FastifyRequest } from 'fastify';
import { ANSWERS } from '../mosec.messages';
import { BurstMemory } from './burst-memory';
import { lingerForUpload } from './lingering-close';
import { PRIORITY_HEADER, priorityLevel } from './request-priority';

const TEXT = 'text/plain; charset=utf-8';
const HELD = Symbol('mosec.held');
/** Headers a request may have (Node's own count, which otherwise drops the rest, `Content-Length` among them). */
const MAX_HEADERS = 2000;

interface Held {
  /** Bytes counted for this request until it is answered. */
  bytes: number;
  /** Its body is still being read (it is not a task yet). */
  reading: boolean;
}

type AdmittedRequest = FastifyRequest & { [HELD]?: Held };

export interface AdmissionLimits {
  maxRequestSize: number;
  maxBytesInFlight: number;
  capacity: number;
}

/** What admission needs to know of the service. */
export interface AdmissionState {
  readonly accepting: boolean;
  readonly draining: boolean;
  /** Tasks accepted and not answered yet. */
  readonly activeTasks: number;
}

/**
 * Decides, as soon as a pipeline request's headers are in and before its body is read, whether the
 * service takes it: 431 for more than 2,000 headers, 400 for an `X-Mosec-Priority` that is not one, 413 for a `Content-Length` over `maxRequestSize`, 503 while not serving, 429 when
 * `capacity` requests are already held (being read, or tasks) or when its bytes would pass
 * `maxBytesInFlight`. An admitted request's bytes count until it is answered or its connection
 * closes; a body whose size was not declared (chunked) or that decompresses to more is counted as
 * it arrives (`grow`). So what clients can make the service hold is bounded, whatever they send.
 */
export class RequestAdmission {
  private bytes = 0;
  private reading = 0;
  private readonly burst = new BurstMemory();

  constructor(
    private readonly limits: AdmissionLimits,
    private readonly service: AdmissionState,
  ) {}

  /** Bytes held now (for the metrics). */
  get bytesInFlight(): number {
    return this.bytes;
  }

  /** A route-level `onRequest` hook. */
  readonly admit = (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    if (request.raw.rawHeaders.length > 2 * MAX_HEADERS) return refuse(request, reply, 431, ANSWERS.tooManyHeaders, this.limits.maxRequestSize);
    if (priorityLevel(request.headers[PRIORITY_HEADER]) === undefined) {
      return refuse(request, reply, 400, ANSWERS.badPriority, this.limits.maxRequestSize);
    }
    const declared = Number(request.headers['content-length'] ?? 0) || 0;
    if (declared > this.limits.maxRequestSize) return refuse(request, reply, 413, ANSWERS.tooLarge, this.limits.maxRequestSize);
    if (!this.service.accepting) {
      return refuse(request, reply, 503, this.service.draining ? ANSWERS.shuttingDown : ANSWERS.notReady, this.limits.maxRequestSize);
    }
    if (this.service.activeTasks + this.reading >= this.limits.capacity) return refuse(request, reply, 429, ANSWERS.tooMany, this.limits.maxRequestSize);
    if (this.bytes + declared > this.limits.maxBytesInFlight) return refuse(request, reply, 429, ANSWERS.overBudget, this.limits.maxRequestSize);
    const held: Held = { bytes: declared, reading: true };
    (request as AdmittedRequest)[HELD] = held;
    this.bytes += declared;
    this.reading++;
    this.burst.held(this.bytes);
    reply.raw.once('close', () => {
      this.bytes -= held.bytes;
      held.bytes = 0;
      this.bodyRead(request);
      this.burst.held(this.bytes);
    });
    done();
  };

  /** Counts a body as `total` bytes once it turns out larger than declared; false when that passes the budget. */
  grow(request: FastifyRequest, total: number): boolean {
    const held = (request as AdmittedRequest)[HELD];
    if (!held || total <= held.bytes) return true;
    if (this.bytes + total - held.bytes > this.limits.maxBytesInFlight) return false;
    this.bytes += total - held.bytes;
    held.bytes = total;
    this.burst.held(this.bytes);
    return true;
  }

  /** The body is read: from here the engine counts the request as a task. */
  bodyRead(request: FastifyRequest): void {
    const held = (request as AdmittedRequest)[HELD];
    if (!held?.reading) return;
    held.reading = false;
    this.reading--;
  }
}

/**
 * Answers before the body is read; the rest of the upload is read and dropped (bounded), so a client
 * still sending it reads the answer instead of a reset connection.
 */
export function refuse(request: FastifyRequest, reply: FastifyReply, status: number, body: string, maxBytes: number): void {
  if (reply.sent) return;
  lingerForUpload(request.raw, reply.raw, maxBytes);
  reply.code(status).type(TEXT).send(body);
}
