import type { Type } from '@nestjs/common';

export interface MosecOptions {
  /** The `@Pipeline` modules to serve. */
  pipelines: Type<unknown>[];
  /** HTTP port (`MOSEC_PORT`). Default 8000. */
  port?: number;
  /** Address to bind (`MOSEC_ADDRESS`). Default 0.0.0.0. */
  address?: string;
  /** Milliseconds a request may take end to end before 408 (`MOSEC_TIMEOUT`). Default 3000. */
  timeout?: number;
  /** Requests held at once before 429 (`MOSEC_CAPACITY`). Default 1024. */
  capacity?: number;
  /** Largest request body in bytes before 413 (`MOSEC_MAX_REQUEST_SIZE`). Default 10 MiB. */
  maxRequestSize?: number;
  /** Prefix of the metric names (`MOSEC_NAMESPACE`). Default `mosec_service`. */
  namespace?: string;
  /** debug, info, warning or error (`MOSEC_LOG_LEVEL`). Default info. */
  logLevel?: 'debug' | 'info' | 'warning' | 'error';
  /** Milliseconds in-flight requests get to finish after SIGTERM/SIGINT. Default: `timeout`. */
  shutdownTimeout?: number;
  /** Serve `GET /metrics` and record the metrics (`MOSEC_METRICS=0` turns them off). Default true. */
  metrics?: boolean;
  /** Refuse (422) request bodies with properties a pipeline's request DTO does not declare, instead of dropping them. Default false. */
  forbidUnknown?: boolean;
  /** The OpenAPI document's title, version and description; `false` serves no document or Swagger UI. */
  openapi?: { title?: string; version?: string; description?: string } | false;
  /** Worker log lines as text or JSON objects (`MOSEC_LOG_FORMAT`). Default text. */
  logFormat?: 'text' | 'json';
  /**
   * Start one worker per stage, push the first stage's warm-up examples through each pipeline, report
   * and exit: 0 when all pass, 1 naming the failing stage (`MOSEC_DRY_RUN=1` or `--dry-run`).
   */
  dryRun?: boolean;
}

export interface MosecAsyncOptions {
  imports?: any[];
  inject?: any[];
  useFactory: (...args: any[]) => MosecOptions | Promise<MosecOptions>;
}

export const MOSEC_OPTIONS = Symbol('MOSEC_OPTIONS');
