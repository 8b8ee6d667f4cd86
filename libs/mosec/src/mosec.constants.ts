/** Injection token of a worker's identity (`WorkerIdentity`), in the worker processes only. */
export const MOSEC_WORKER = 'MOSEC_WORKER';

/** Token of the options given to `forRoot`/`forRootAsync` (the name Nest's module builder gives them). */
export const MOSEC_OPTIONS = 'MOSEC_MODULE_OPTIONS';

/** Token of the extras given to `forRoot`/`forRootAsync` (the pipelines, the probe routes). */
export const MOSEC_EXTRAS = 'MOSEC_EXTRAS';

/** Metadata keys of the decorators. */
export const STAGE_METADATA = 'mosec:stage';
export const PIPELINE_METADATA = 'mosec:pipeline';
/** The file a `@Pipeline` class is written in: workers load it. */
export const PIPELINE_FILE_METADATA = 'mosec:pipeline-file';

/** Key of a pipeline route's fastify route config: the route's pipeline class. */
export const PIPELINE_ROUTE_CONFIG = 'mosecPipeline';

/** mosec's defaults. */
export const DEFAULTS = {
  port: 8000,
  address: '0.0.0.0',
  timeout: 3000,
  /** How long a batch waits to fill, in a stage whose `@Stage` sets no `maxWaitTime`: it follows the load. */
  wait: 'auto' as number | 'auto',
  capacity: 1024,
  maxRequestSize: 10 * 1024 * 1024,
  namespace: 'mosec_service',
  readinessPath: '/',
  metricsPath: '/metrics',
  adminPath: 'mosec',
  /** Added to the service timeout for reading a whole request: an upload of `maxRequestSize` at ~1 MiB/s. */
  uploadAllowance: 10_000,
  /** Milliseconds to receive a request's headers, from the connection's start. */
  headersTimeout: 10_000,
  /** Milliseconds a keep-alive connection may wait for its next request (fastify's: above common load balancers' 60 s). */
  idleTimeout: 72_000,
  /** Milliseconds a client has to take an answer, from its first byte: a 10 MiB answer at 350 KiB/s. */
  writeTimeout: 30_000,
  /** Request bytes held at once (being read, or queued until answered) before new requests get 429. */
  maxBytesInFlight: 256 * 1024 * 1024,
  /** Milliseconds a ready worker may stay silent (frozen, or its event loop blocked) before it is replaced. */
  heartbeatTimeout: 10_000,
  /** Milliseconds a request that crashed a stage's workers twice is refused at once when sent again. */
  quarantine: 60_000,
  /** Milliseconds an elastic stage's load must fit in one worker fewer before one goes. */
  scaleDownAfter: 30_000,
  /** Keys in one object of a body checked against a request DTO (class-transformer's cost grows with their square). */
  maxObjectKeys: 1000,
  /** Elements in one array of a body checked against a request DTO. */
  maxArrayLength: 10_000,
  /** Keys and array elements, at every level, of a body checked against a request DTO. */
  maxBodyValues: 100_000,
  /** Arrays and objects nested in one another in a body checked against a request DTO: the most any body may have (MAX_NESTING). */
  maxBodyDepth: 512,
  /** Streams a client may reset on one HTTP/2 connection within 10 s before the connection is closed (rapid reset). */
  maxStreamResets: 500,
  /** Smallest payload that goes between stages through shared payloads rather than the frames: below it, the frames cost less (measured). */
  ipcThreshold: 128 * 1024,
} as const;
