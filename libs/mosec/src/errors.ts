import { ANSWERS } from './mosec.messages';

/**
 * Errors a stage may throw (or, in a batch, return at an item's index). The HTTP status and the body
 * prefix follow mosec: the client sees `<prefix>: <message>`, except for server errors, which answer
 * `inference internal error` and keep their details in the worker's log.
 */
export class MosecError extends Error {
  /** HTTP status the client gets. */
  readonly status: number = 500;
  /** What the body says before the message. */
  readonly prefix: string = 'mosec error';

  constructor(message?: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The request is wrong in a way the client can fix: 400. */
export class ClientError extends MosecError {
  readonly status: number = 400;
  readonly prefix: string = 'bad request';
}

/** The request body could not be decoded: 400. */
export class DecodingError extends ClientError {
  readonly prefix = 'decoding error';
}

/** The request decoded but is not valid: 422. */
export class ValidationError extends MosecError {
  readonly status: number = 422;
  readonly prefix = 'request validation error';
}

/** Something failed on the server side: 500. */
export class ServerError extends MosecError {
  readonly status: number = 500;
  readonly prefix: string = 'internal error';
}

/** The result could not be encoded: 500. */
export class EncodingError extends ServerError {
  readonly prefix = 'encoding error';
}

/** What the client is told about an error thrown by user code: status and body, never a stack. */
export function describeError(error: unknown): { status: number; body: string } {
  if (error instanceof MosecError && error.status < 500) {
    const message = String(error.message || error.prefix).replace(/\n/g, ' - ');
    return { status: error.status, body: `${error.prefix}: ${message}` };
  }
  return { status: 500, body: ANSWERS.internal };
}

