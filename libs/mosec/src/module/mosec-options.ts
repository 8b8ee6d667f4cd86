import type { Type } from '@nestjs/common';

/** The service's settings; each can be overridden by its `MOSEC_*` environment variable. */
export interface MosecOptions {
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
  /** Milliseconds in-flight requests get to finish when the application shuts down. Default: `timeout`. */
  shutdownTimeout?: number;
  /** Serve the metrics route and record the metrics (`MOSEC_METRICS=0` turns them off). Default true. */
  metrics?: boolean;
  /** Refuse (422) request bodies with properties a pipeline's request DTO does not declare, instead of dropping them. Default false. */
  forbidUnknown?: boolean;
  /** The OpenAPI document's title, version and description; `false` serves no document or Swagger UI. */
  openapi?: { title?: string; version?: string; description?: string } | false;
  /** Worker log lines as text or JSON objects (`MOSEC_LOG_FORMAT`). Default text. */
  logFormat?: 'text' | 'json';
  /**
   * Start one worker per stage, push the first stage's warm-up examples through each pipeline, report
   * and end the application: it starts when all pass, and fails naming the stage otherwise
   * (`MOSEC_DRY_RUN=1` or `--dry-run`).
   */
  dryRun?: boolean;
}

/** What `MosecModule.forRoot()` and `forRootAsync()` take beside the options: known when the module is declared. */
export interface MosecExtras {
  /** The `@Pipeline` modules to serve: their routes are the application's, their stages run in workers. */
  pipelines: Type<unknown>[];
  /** Make the module global, so every module can `@InjectPipeline()` and read `MosecConfig`. Default false. */
  isGlobal?: boolean;
  /** Path of the readiness check: 200 when every worker is ready, 503 while draining. Default `/`. */
  readinessPath?: string;
  /** Path of the Prometheus metrics. Default `/metrics`. */
  metricsPath?: string;
  /**
   * Serve the readiness check and the metrics as Nest routes, which the application's guards,
   * interceptors, global prefix and versioning reach like any controller's. Default false: plain
   * routes at exactly their paths, outside all of that, as probes and scrapers carry no API key.
   */
  guardProbes?: boolean;
}
