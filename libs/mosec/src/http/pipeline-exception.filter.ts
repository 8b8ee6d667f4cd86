import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { PipelineError } from '../pipeline-error';

/**
 * Renders a pipeline's answers other than 200 as mosec does: its status, its text (or the JSON of a
 * failed DTO check). Set on each pipeline route, after the filters of the `@Pipeline` class: a filter
 * there that catches `PipelineError` answers instead.
 */
@Catch(PipelineError)
export class PipelineExceptionFilter implements ExceptionFilter<PipelineError> {
  catch(error: PipelineError, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (reply.sent || reply.raw.destroyed) return;
    reply.code(error.getStatus()).type(error.contentType).send(error.body);
  }
}
