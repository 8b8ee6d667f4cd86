import { ConsoleLogger, LogLevel } from '@nestjs/common';

/**
 * The logger of a worker process: every line says which stage and worker wrote it, as a
 * `Stage#id` prefix in text, or as `stage` and `worker` fields in JSON (`MOSEC_LOG_FORMAT=json`).
 */
export class WorkerLogger extends ConsoleLogger {
  /** While the stage is built: its failure is reported by the HTTP process, so Nest's own report of it is dropped. */
  quietExceptionHandler = false;

  constructor(
    private readonly stage: string,
    private readonly workerId: number,
    logLevels: LogLevel[],
    json: boolean,
  ) {
    super({ prefix: `${stage}#${workerId}`, logLevels, json, colors: !json && Boolean(process.stdout.isTTY) });
  }

  error(message: unknown, ...rest: unknown[]): void {
    if (this.quietExceptionHandler && rest[rest.length - 1] === 'ExceptionHandler') return;
    super.error(message, ...rest);
  }

  protected getJsonLogObject(
    message: unknown,
    options: { context: string; logLevel: LogLevel; writeStreamType?: 'stdout' | 'stderr'; errorStack?: unknown; params?: Record<string, any>; error?: Error },
  ): ReturnType<ConsoleLogger['getJsonLogObject']> {
    return { ...super.getJsonLogObject(message, options), stage: this.stage, worker: this.workerId };
  }
}
