import type { Type } from '@nestjs/common';
import type { DaemonOptions } from './daemon-options';

/**
 * The service's settings; each can be overridden by its `MOSEC_*` environment variable, and those with
 * a command-line flag (`--port`, `--timeout`...: `node dist/main.js --help` lists them) by the flag above both.
 */
export interface MosecOptions {
  /** HTTP port (`MOSEC_PORT`, `--port`). Default 8000. */
  port?: number;
  /** Address to bind (`MOSEC_ADDRESS`, `--address`). Default 0.0.0.0. */
  address?: string;
  /** Milliseconds a request may take end to end before 408 (`MOSEC_TIMEOUT`, `--timeout`). Default 3000. */
  timeout?: number;
  /**
   * Milliseconds a batch waits to fill, in stages whose `@Stage` sets no `maxWaitTime` (`MOSEC_WAIT`,
   * `--wait`). Default `'auto'`: the wait follows the load; 10 is mosec's fixed default.
   */
  wait?: number | 'auto';
  /** Requests held at once before 429 (`MOSEC_CAPACITY`, `--capacity`). Default 1024. */
  capacity?: number;
  /** Largest request body in bytes before 413 (`MOSEC_MAX_REQUEST_SIZE`, `--max-request-size`). Default 10 MiB. */
  maxRequestSize?: number;
  /** Prefix of the metric names (`MOSEC_NAMESPACE`, `--namespace`). Default `mosec_service`. */
  namespace?: string;
  /** debug, info, warning or error (`MOSEC_LOG_LEVEL`, `--log-level`; `MOSEC_DEBUG=1` and `--debug` mean debug). Default info. */
  logLevel?: 'debug' | 'info' | 'warning' | 'error';
  /** Milliseconds in-flight requests get to finish when the application shuts down. Default: `timeout`. */
  shutdownTimeout?: number;
  /** Serve the metrics route and record the metrics (`MOSEC_METRICS=0` turns them off). Default true. */
  metrics?: boolean;
  /**
   * Milliseconds to read a whole request, headers and body (`MOSEC_READ_TIMEOUT`); a client slower
   * than that gets 408 and its connection closed. Default: `timeout` + 10 s for the upload.
   */
  readTimeout?: number;
  /** Milliseconds to receive a request's headers, counted from the connection's start (`MOSEC_HEADERS_TIMEOUT`). Default 10 s. */
  headersTimeout?: number;
  /** Milliseconds a keep-alive connection may wait for its next request (`MOSEC_IDLE_TIMEOUT`). Default 72 s. */
  idleTimeout?: number;
  /**
   * Milliseconds a client has to take an answer, from when it begins to be written until it is all
   * out (`MOSEC_WRITE_TIMEOUT`); a client that reads slower, or not at all, has its connection closed,
   * and what its request held (its bytes in `maxBytesInFlight`) comes back. Default 30 s.
   */
  writeTimeout?: number;
  /**
   * Connections held at once; more are closed as they come (`MOSEC_MAX_CONNECTIONS`). Default: what
   * the open-files limit (`ulimit -n`) leaves after the workers' sockets and a reserve; a value above
   * that is refused at startup.
   */
  maxConnections?: number;
  /**
   * Request bytes held at once, counted from `Content-Length` when the headers arrive (and as a
   * chunked body arrives) until the request is answered (`MOSEC_MAX_BYTES_IN_FLIGHT`): past it a new
   * request gets 429 before its body is read. Default 256 MiB.
   */
  maxBytesInFlight?: number;
  /**
   * Milliseconds a ready worker may stay silent before it is killed and replaced (`MOSEC_HEARTBEAT_TIMEOUT`):
   * workers send a heartbeat every second, which a stopped, spinning or blocked worker cannot. Default 10 s.
   */
  heartbeatTimeout?: number;
  /**
   * Milliseconds a request that crashed a stage's workers twice (it made them exit, or stop answering)
   * is answered 500 at once when sent again, recognised by its content (`MOSEC_QUARANTINE`; 0: never).
   * Default 60 s.
   */
  quarantine?: number;
  /**
   * Streams a client may reset (RST_STREAM before its answer) on one HTTP/2 connection within 10 s
   * (`MOSEC_MAX_STREAM_RESETS`): past it the connection is closed with GOAWAY `ENHANCE_YOUR_CALM`
   * (the "rapid reset" attack). Default 500.
   */
  maxStreamResets?: number;
  /**
   * Milliseconds an elastic stage's (`@Stage({ num: { min, max } })`) load must fit in one worker fewer,
   * that one at most half busy, before it goes (`MOSEC_SCALE_DOWN_AFTER`). Default 30 s.
   */
  scaleDownAfter?: number;
  /**
   * Where results of `ipcThreshold` bytes or more go between stages (`MOSEC_IPC`): `'shm'` (files in
   * an owner-only directory of `/dev/shm`; only their names pass through the HTTP process), `'socket'`
   * (through the HTTP process, in the frames), or `{ redis: 'redis://127.0.0.1:6379' }` (keys in a
   * Redis server; needs `ioredis`). Default `'shm'` where `/dev/shm` is writable, else `'socket'`.
   */
  ipc?: 'shm' | 'socket' | { redis: string };
  /** Smallest result, in bytes, that goes through `ipc` instead of the frames (`MOSEC_IPC_THRESHOLD`). Default 128 KiB. */
  ipcThreshold?: number;
  /**
   * Keys in one object of a body checked against a pipeline's request DTO (`MOSEC_MAX_OBJECT_KEYS`);
   * more get 413 before the body is parsed. Default 1,000.
   */
  maxObjectKeys?: number;
  /** Elements in one array of a body checked against a request DTO (`MOSEC_MAX_ARRAY_LENGTH`); more: 413. Default 10,000. */
  maxArrayLength?: number;
  /** Keys and array elements at every level of a body checked against a request DTO (`MOSEC_MAX_BODY_VALUES`); more: 413. Default 100,000. */
  maxBodyValues?: number;
  /**
   * Arrays and objects nested in one another in a body checked against a request DTO (`MOSEC_MAX_BODY_DEPTH`);
   * deeper: 413. Default 512, also the most: any body nested deeper is refused (400) as it is decoded.
   */
  maxBodyDepth?: number;
  /** Refuse (422) request bodies with properties a pipeline's request DTO does not declare, instead of dropping them. Default false. */
  forbidUnknown?: boolean;
  /** The OpenAPI document's title, version and description; `false` serves no document or Swagger UI. */
  openapi?: { title?: string; version?: string; description?: string } | false;
  /**
   * Processes to run beside the workers, as mosec's `register_daemon`: started before the workers, their
   * output in the log under their name, stopped after the workers; one that exits while the service
   * serves stops the service (exit code 1).
   */
  daemons?: DaemonOptions[];
  /** Worker log lines as text or JSON objects (`MOSEC_LOG_FORMAT`). Default text. */
  logFormat?: 'text' | 'json';
  /**
   * Start one worker per stage, push the first stage's warm-up examples through each pipeline, report
   * and end the application: it starts when all pass, and fails naming the stage otherwise
   * (`MOSEC_DRY_RUN=1` or `--dry-run`).
   */
  dryRun?: boolean;
  /**
   * Compress answers of 1 KiB or more as the client's `Accept-Encoding` asks: zstd (where this Node's
   * zlib has it), br, gzip or deflate (`MOSEC_COMPRESSION=1`, `--compression`), and take request bodies
   * compressed so (`Content-Encoding`), their decoded bytes and their decoder's window counted against
   * `maxBytesInFlight`. Off, a compressed body gets 415. Default false, as mosec.
   */
  compression?: boolean;
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
  /**
   * Serve `MosecAdmin` over HTTP, as Nest routes behind the application's guards: `GET <path>/stages`,
   * `PUT <path>/stages/:stage` `{ "workers": n }`. `true` puts them under `/mosec`. Default false.
   */
  admin?: boolean | { path?: string };
}
