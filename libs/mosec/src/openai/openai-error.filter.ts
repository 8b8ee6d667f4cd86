import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { PipelineError } from '../pipeline-error';
import { OpenAIError, openAIErrorBody } from './openai-error';

/**
 * Answers every error of the routes it decorates in OpenAI's shape, with the status it carries:
 * `OpenAIError`s as they are, Nest's `HttpException`s (a body that is not JSON, one too large) and a
 * pipeline's refusals (429 queue full, 408 timeout, 503 not ready) with their message; anything else
 * is a 500 that tells the client nothing more.
 */
@Catch()
export class OpenAIErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('OpenAI');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const { status, body } = this.describe(exception);
    this.adapterHost.httpAdapter.reply(host.switchToHttp().getResponse(), body, status);
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
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    return { status: 500, body: openAIErrorBody(500, 'internal error') };
  }
}
