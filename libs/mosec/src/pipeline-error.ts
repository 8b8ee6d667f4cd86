import { HttpException } from '@nestjs/common';

/**
 * A pipeline's answer other than 200, as a pipeline route throws it and a `PipelineClient` rejects
 * with it: `getStatus()` is mosec's status (408, 429, 500...), `body` what an HTTP client reads.
 * Pipeline routes render it as mosec does (the body as text), unless a filter on the `@Pipeline` class
 * or a global filter of the application catches it first. `getResponse()` is the text, or the object of
 * a JSON body (a failed DTO check: `{ message, errors }`), as filters written for Nest's own exceptions expect.
 */
export class PipelineError extends HttpException {
  constructor(
    status: number,
    readonly body: string,
    /** The content type of `body`: text, or JSON for a request that failed its DTO check. */
    readonly contentType = 'text/plain; charset=utf-8',
  ) {
    super(contentType.startsWith('application/json') ? JSON.parse(body) : body, status);
    this.name = 'PipelineError';
  }
}
