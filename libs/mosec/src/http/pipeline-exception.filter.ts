import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { PipelineError } from '../pipeline-error';

/**
 * Renders a pipeline's answers other than 200. Set on each pipeline route, after the filters of the
 * `@Pipeline` class: a filter there that catches `PipelineError` answers instead. Then the
 * application's global filters (`APP_FILTER`, `useGlobalFilters`) that catch it, as for any route's
 * `HttpException`; without one, mosec's answer: its status and text (or the JSON of a failed DTO check).
 */
@Catch(PipelineError)
export class PipelineExceptionFilter implements ExceptionFilter<PipelineError> {
  /** The application's global filter for an error, once the application is built. */
  appFilterFor: (error: PipelineError) => ExceptionFilter | undefined = () => undefined;

  catch(error: PipelineError, host: ArgumentsHost): unknown {
    const appFilter = this.appFilterFor(error);
    if (appFilter) return appFilter.catch(error, host);
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (reply.sent || reply.raw.destroyed) return undefined;
    return reply.code(error.getStatus()).type(error.contentType).send(error.body);
  }
}
