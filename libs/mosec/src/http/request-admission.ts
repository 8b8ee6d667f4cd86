import type { FastifyReply, FastifyRequest } from 'fastify';
import { ANSWERS } from '../mosec.messages';
import { BurstMemory } from '../gateway/burst-memory';
import { LimitLog, mib } from './limit-log';
import { lingerForUpload } from './lingering-close';
import { PRIORITY_HEADER, priorityLevel } from '../gateway/admission';

const TEXT = 'text/plain; charset=utf-8';
const HELD = Symbol('mosec.held');
/** Headers a request may have (Node's own count, which otherwise drops the rest, `Content-Length` among them). */
const MAX_HEADERS = 2000;

interface Held {
  /** Bytes counted for this request until it is answered. */
  bytes: number;
  /** Its body is still being read (it is not a task yet). */
  reading: boolean;
  /** Answered or its connection gone: it counts no more, whatever is still decoding for it. */
  released: boolean;
}

type AdmittedRequest = FastifyRequest & { [HELD]?: Held };

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

/**
 * Decides, as soon as a pipeline request's headers are in and before its body is read, whether the
 * service takes it: 431 for more than 2,000 headers, 400 for an `X-Mosec-Priority` that is not one, 413 for a `Content-Length` over `maxRequestSize`,
 * 415 for a compressed body while `compression` is off, 503 while not serving, 429 when
 * `capacity` requests are already held (being read, or tasks) or when its bytes would pass
 * `maxBytesInFlight`. An admitted request's bytes count until it is answered or its connection
 * closes (its own answer's, or the connection's, for a pipelined request whose answer never started);
 * a body whose size was not declared (chunked) or that decompresses to more is counted as it arrives
 * (`grow`), its decoder's window with it. So what clients can make the service hold is bounded,
 * whatever they send, and comes back on every path.
 */
export class RequestAdmission {
  private bytes = 0;
  private reading = 0;
  private readonly burst = new BurstMemory();
  private readonly overBudget = new LimitLog('maxBytesInFlight');
  private readonly compressionOff = new LimitLog('compression');

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
    const maxBytes = this.limits.maxRequestSize;
    if (request.raw.rawHeaders.length > 2 * MAX_HEADERS) return refuse(request, reply, 431, ANSWERS.tooManyHeaders, maxBytes);
    if (priorityLevel(request.headers[PRIORITY_HEADER]) === undefined) return refuse(request, reply, 400, ANSWERS.badPriority, maxBytes);
    const declared = Number(request.headers['content-length'] ?? 0) || 0;
    if (declared > maxBytes) return refuse(request, reply, 413, ANSWERS.tooLarge, maxBytes);
    if (!this.limits.compression && isCompressed(request)) {
      this.compressionOff.warn('a compressed request body got 415: compression is off (MOSEC_COMPRESSION, --compression)');
      return refuse(request, reply, 415, ANSWERS.compressionOff, maxBytes);
    }
    if (!this.service.accepting) return refuse(request, reply, 503, this.service.draining ? ANSWERS.shuttingDown : ANSWERS.notReady, maxBytes);
    if (this.service.activeTasks + this.reading >= this.limits.capacity) return refuse(request, reply, 429, ANSWERS.tooMany, maxBytes);
    if (this.bytes + declared > this.limits.maxBytesInFlight) return this.refuseOverBudget(request, reply);
    const held: Held = { bytes: declared, reading: true, released: false };
    (request as AdmittedRequest)[HELD] = held;
    this.bytes += declared;
    this.reading++;
    this.burst.held(this.bytes);
    const socket = request.raw.socket;
    const release = () => {
      if (held.released) return;
      held.released = true;
      reply.raw.off('close', release);
      socket?.off('close', release);
      this.bytes -= held.bytes;
      held.bytes = 0;
      this.bodyRead(request);
      this.burst.held(this.bytes);
    };
    // A pipelined request's answer never closes when its connection does: the connection's close releases it.
    reply.raw.once('close', release);
    socket?.once('close', release);
    done();
  };

  /** 429 for a request whose bytes would pass the budget, with a log line that names the limit. */
  refuseOverBudget(request: FastifyRequest, reply: FastifyReply): void {
    this.overBudget.warn(`${mib(this.bytes)} of request bytes held, at maxBytesInFlight (${mib(this.limits.maxBytesInFlight)}): requests over it get 429`);
    refuse(request, reply, 429, ANSWERS.overBudget, this.limits.maxRequestSize);
  }

  /**
   * Counts a request as `total` bytes once it turns out larger than counted; false when that passes
   * the budget, or when the request is released already (its client gone: stop reading for it).
   */
  grow(request: FastifyRequest, total: number): boolean {
    const held = (request as AdmittedRequest)[HELD];
    if (!held) return true;
    if (held.released) return false;
    if (total <= held.bytes) return true;
    if (this.bytes + total - held.bytes > this.limits.maxBytesInFlight) return false;
    this.bytes += total - held.bytes;
    held.bytes = total;
    this.burst.held(this.bytes);
    return true;
  }

  /** The body is read and decoded (`size` bytes, its decoder gone): from here the engine counts the request as a task. */
  bodyRead(request: FastifyRequest, size?: number): void {
    const held = (request as AdmittedRequest)[HELD];
    if (!held?.reading) return;
    held.reading = false;
    this.reading--;
    if (size === undefined || held.released || size >= held.bytes) return;
    this.bytes -= held.bytes - size;
    held.bytes = size;
    this.burst.held(this.bytes);
  }
}

function isCompressed(request: FastifyRequest): boolean {
  const encoding = request.headers['content-encoding'];
  return encoding !== undefined && encoding.trim().toLowerCase() !== 'identity';
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
