import { ArgumentsHost, Catch, HttpException, Logger } from '@nestjs/common';
import { BaseExceptionFilter, HttpAdapterHost } from '@nestjs/core';
import { PipelineError } from '../pipeline-error';
import { OpenAIError, openAIErrorBody } from './openai-error';

/**
 * Answers the errors of OpenAI's routes in OpenAI's shape, with the status they carry: `OpenAIError`s
 * as they are, Nest's `HttpException`s (a body that is not JSON, one too large) and a pipeline's
 * refusals (429 queue full, 408 timeout, 503 not ready) with their message; anything else is a 500
 * that tells the client nothing more. Installed for the whole application (a body that does not parse
 * fails before any controller's filter), it leaves the errors of every other route to Nest's own filter.
 */
@Catch()
export class OpenAIErrorFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('OpenAI');

  constructor(
    private readonly routes: RegExp,
    adapterHost: HttpAdapterHost,
  ) {
    super();
    // What Nest injects into a filter it builds itself (this one is built by a factory).
    Object.assign(this, { httpAdapterHost: adapterHost });
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const url = String((http.getRequest() as { url?: string }).url ?? '').split('?')[0];
    if (host.getType() !== 'http' || !this.routes.test(url)) return super.catch(exception, host);
    const { status, body } = this.describe(exception);
    this.httpAdapterHost!.httpAdapter.reply(http.getResponse(), body, status);
  }

  private describe(exception: unknown): { status: number; body: object } {
    if (exception instanceof OpenAIError) return { status: exception.getStatus(), body: exception.getResponse() as object };
    if (exception instanceof PipelineError) {
      const status = exception.getStatus();
      return { status, body: openAIErrorBody(status, status >= 500 ? 'the model failed to answer' : exception.body) };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const message = typeof response === 'string' ? response : ((response as { message?: unknown }).message ?? exception.message);
      return { status, body: openAIErrorBody(status, Array.isArray(message) ? message.join('; ') : String(message)) };
    }
    // The client left (its request's items were withdrawn): nobody reads this answer, nothing to log.
    if ((exception as Error)?.name === 'AbortError') return { status: 400, body: openAIErrorBody(400, 'the client closed the request') };
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    return { status: 500, body: openAIErrorBody(500, 'internal error') };
  }
}
