import type { FastifyReply, FastifyRequest } from 'fastify';
import { Admission, Hold, PRIORITY_HEADER, Refusal } from '../gateway/admission';
import { LimitLog, mib } from './limit-log';
import { lingerForUpload } from './lingering-close';

const TEXT = 'text/plain; charset=utf-8';
const HELD = Symbol('mosec.held');

type AdmittedRequest = FastifyRequest & { [HELD]?: Hold };

/**
 * Admission on a pipeline route, as soon as a request's headers are in and before its body is read:
 * the gateway's `Admission` decides, this answers its refusals over HTTP (naming the option reached
 * in the log) and releases an admitted request's bytes when it is answered or its connection closes
 * (its own answer's, or the connection's, for a pipelined request whose answer never started).
 */
export class RequestAdmission {
  private readonly overBudgetLog = new LimitLog('maxBytesInFlight');
  private readonly compressionLog = new LimitLog('compression');

  constructor(
    private readonly admission: Admission,
    private readonly maxRequestSize: number,
  ) {}

  /** A route-level `onRequest` hook. */
  readonly admit = (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    const declared = Number(request.headers['content-length'] ?? 0) || 0;
    const refusal = this.admission.check({
      headerCount: request.raw.rawHeaders.length / 2,
      priority: request.headers[PRIORITY_HEADER],
      bytes: declared,
      compressed: isCompressed(request),
    });
    if (refusal) return this.refuse(request, reply, refusal);
    const held = this.admission.hold(declared);
    (request as AdmittedRequest)[HELD] = held;
    const socket = request.raw.socket;
    const release = () => {
      reply.raw.off('close', release);
      socket?.off('close', release);
      this.admission.release(held);
    };
    // A pipelined request's answer never closes when its connection does: the connection's close releases it.
    reply.raw.once('close', release);
    socket?.once('close', release);
    done();
  };

  /** 429 for a request whose bytes would pass the budget, with a log line that names the limit. */
  refuseOverBudget(request: FastifyRequest, reply: FastifyReply): void {
    this.refuse(request, reply, this.admission.overBudget());
  }

  /** See `Admission.grow`. */
  grow(request: FastifyRequest, total: number): boolean {
    const held = (request as AdmittedRequest)[HELD];
    return held ? this.admission.grow(held, total) : true;
  }

  /** See `Admission.bodyRead`. */
  bodyRead(request: FastifyRequest, size?: number): void {
    const held = (request as AdmittedRequest)[HELD];
    if (held) this.admission.bodyRead(held, size);
  }

  private refuse(request: FastifyRequest, reply: FastifyReply, refusal: Refusal): void {
    if (refusal.limit === 'maxBytesInFlight') {
      const { bytesInFlight, maxBytesInFlight } = this.admission;
      this.overBudgetLog.warn(`${mib(bytesInFlight)} of request bytes held, at maxBytesInFlight (${mib(maxBytesInFlight)}): requests over it get 429`);
    }
    if (refusal.limit === 'compression') {
      this.compressionLog.warn('a compressed request body got 415: compression is off (MOSEC_COMPRESSION, --compression)');
    }
    refuse(request, reply, refusal.status, refusal.body, this.maxRequestSize);
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
