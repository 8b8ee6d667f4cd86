import type { MosecOptions } from './mosec-options';

/** How a setting's value is read and checked. */
export type SettingType = 'integer' | 'text' | 'on/off' | 'choice' | 'wait' | 'ipc' | 'object';

/** One setting: where it can be given besides the module options, its type, its default, and what it does. */
export interface SettingSpec {
  type: SettingType;
  /** The environment variable that overrides the option. */
  variable?: string;
  /** The command-line flag that overrides the variable and the option. */
  flag?: string;
  /** What a valued flag's value looks like (`--help`); an on/off flag has none. */
  value?: string;
  min?: number;
  max?: number;
  /** The values a `choice` takes. */
  values?: readonly string[];
  /** The default, as the README and `--help` say it. */
  default: string;
  /** One line: what it does (Markdown; `--help` shows it without the backticks). */
  doc: string;
}

/**
 * Every setting of the service, in the order of the README's Options table (which a test compares
 * with this one). `debug` is the only one that is not a module option: a variable and a flag for
 * `logLevel: 'debug'`.
 */
export const SETTINGS = {
  port: { type: 'integer', variable: 'MOSEC_PORT', flag: '--port', value: '<n>', min: 0, max: 65535, default: '8000', doc: 'HTTP port (read it from `MosecConfig` in `main.ts`)' },
  address: { type: 'text', variable: 'MOSEC_ADDRESS', flag: '--address', value: '<ip>', default: '0.0.0.0', doc: 'address to bind' },
  timeout: { type: 'integer', variable: 'MOSEC_TIMEOUT', flag: '--timeout', value: '<ms>', min: 1, default: '3000', doc: 'ms from arrival to answer before 408' },
  wait: {
    type: 'wait',
    variable: 'MOSEC_WAIT',
    flag: '--wait',
    value: '<ms|auto>',
    min: 0,
    default: 'auto',
    doc: "ms a batch waits to fill, or `auto` (follows the load), in stages whose `@Stage` sets no `maxWaitTime`; 10 is mosec's",
  },
  capacity: { type: 'integer', variable: 'MOSEC_CAPACITY', flag: '--capacity', value: '<n>', min: 1, default: '1024', doc: 'requests held at once before 429' },
  maxRequestSize: { type: 'integer', variable: 'MOSEC_MAX_REQUEST_SIZE', flag: '--max-request-size', value: '<bytes>', min: 1, default: '10 MiB', doc: 'bytes before 413' },
  namespace: { type: 'text', variable: 'MOSEC_NAMESPACE', flag: '--namespace', value: '<name>', default: 'mosec_service', doc: 'metric name prefix' },
  logLevel: {
    type: 'choice',
    variable: 'MOSEC_LOG_LEVEL',
    flag: '--log-level',
    value: '<level>',
    values: ['debug', 'info', 'warning', 'error'],
    default: 'info',
    doc: 'debug, info, warning, error',
  },
  debug: { type: 'on/off', variable: 'MOSEC_DEBUG', flag: '--debug', default: 'off', doc: 'the same as log level debug' },
  compression: {
    type: 'on/off',
    variable: 'MOSEC_COMPRESSION',
    flag: '--compression',
    default: 'false',
    doc: 'compress answers as `Accept-Encoding` asks, and take compressed request bodies (above)',
  },
  dryRun: {
    type: 'on/off',
    variable: 'MOSEC_DRY_RUN',
    flag: '--dry-run',
    default: 'false',
    doc: 'push the examples through each pipeline, report, end (a failure fails the start, naming the stage)',
  },
  shutdownTimeout: { type: 'integer', min: 0, default: '`timeout`', doc: 'ms in-flight requests get when the application shuts down' },
  metrics: { type: 'on/off', variable: 'MOSEC_METRICS', default: 'true', doc: 'serve the metrics and record them' },
  readTimeout: {
    type: 'integer',
    variable: 'MOSEC_READ_TIMEOUT',
    min: 1,
    default: '`timeout` + 10 s',
    doc: 'ms to receive a whole request, headers and body (408, connection closed)',
  },
  headersTimeout: {
    type: 'integer',
    variable: 'MOSEC_HEADERS_TIMEOUT',
    min: 1,
    default: '10 s',
    doc: "ms to receive a request's headers, from the connection's start (a connection that sends nothing is closed)",
  },
  idleTimeout: { type: 'integer', variable: 'MOSEC_IDLE_TIMEOUT', min: 1, default: '72 s', doc: 'ms a keep-alive connection may wait for its next request' },
  writeTimeout: {
    type: 'integer',
    variable: 'MOSEC_WRITE_TIMEOUT',
    min: 1,
    default: '30 s',
    doc: 'ms a client has to take an answer, from its first byte (slower: connection closed)',
  },
  maxConnections: {
    type: 'integer',
    variable: 'MOSEC_MAX_CONNECTIONS',
    min: 1,
    default: 'what `ulimit -n` leaves',
    doc: "connections held at once; more are closed as they come. Above what the open-files limit leaves (after the workers' descriptors and a reserve of 64): refused at startup",
  },
  maxBytesInFlight: {
    type: 'integer',
    variable: 'MOSEC_MAX_BYTES_IN_FLIGHT',
    min: 1,
    default: '256 MiB',
    doc: 'request bytes held at once (being read, or queued until answered); past it, 429 before the body is read',
  },
  heartbeatTimeout: {
    type: 'integer',
    variable: 'MOSEC_HEARTBEAT_TIMEOUT',
    min: 1000,
    default: '10 s',
    doc: 'ms a ready worker may stay silent (stopped, spinning, its event loop blocked) before it is killed and replaced',
  },
  quarantine: {
    type: 'integer',
    variable: 'MOSEC_QUARANTINE',
    min: 0,
    default: '60 s',
    doc: "ms a request that crashed its stage's workers twice is answered 500 at once when sent again; 0: never (see Reliability)",
  },
  maxStreamResets: {
    type: 'integer',
    variable: 'MOSEC_MAX_STREAM_RESETS',
    min: 1,
    default: '500',
    doc: 'HTTP/2 streams a client may reset on one connection within 10 s before it is closed (GOAWAY `ENHANCE_YOUR_CALM`)',
  },
  maxObjectKeys: {
    type: 'integer',
    variable: 'MOSEC_MAX_OBJECT_KEYS',
    min: 1,
    default: '1,000',
    doc: 'keys in one object of a body checked against a request DTO (413 past it)',
  },
  maxArrayLength: { type: 'integer', variable: 'MOSEC_MAX_ARRAY_LENGTH', min: 1, default: '10,000', doc: 'elements in one array of such a body (413)' },
  maxBodyValues: { type: 'integer', variable: 'MOSEC_MAX_BODY_VALUES', min: 1, default: '100,000', doc: 'keys and array elements in the whole of such a body (413)' },
  maxBodyDepth: { type: 'integer', variable: 'MOSEC_MAX_BODY_DEPTH', min: 1, default: '512', doc: 'arrays and objects nested in one another in such a body (413)' },
  scaleDownAfter: {
    type: 'integer',
    variable: 'MOSEC_SCALE_DOWN_AFTER',
    min: 1,
    default: '30 s',
    doc: "ms an elastic stage's load must fit in one worker fewer before one goes",
  },
  daemons: { type: 'object', default: '`[]`', doc: 'programs started before the workers and stopped after them (see [Daemons](#daemons))' },
  ipc: {
    type: 'ipc',
    variable: 'MOSEC_IPC',
    default: "`'shm'`",
    doc: "where large payloads go between stages: `'shm'`, `'socket'` (through the HTTP process) or `{ redis: 'redis://…' }` (`MOSEC_IPC=redis://…`)",
  },
  ipcThreshold: {
    type: 'integer',
    variable: 'MOSEC_IPC_THRESHOLD',
    min: 1,
    default: '128 KiB',
    doc: 'bytes from which a payload goes through `ipc` rather than the frames',
  },
  logFormat: { type: 'choice', variable: 'MOSEC_LOG_FORMAT', values: ['text', 'json'], default: 'text', doc: 'worker log lines as `text` or `json`' },
  forbidUnknown: { type: 'on/off', default: 'false', doc: '422 for properties a request DTO does not declare (default: dropped)' },
  openapi: { type: 'object', default: '`{}`', doc: '`{ title, version, description }` of the OpenAPI document; `false` serves none' },
} satisfies Record<keyof MosecOptions | 'debug', SettingSpec>;

export type SettingName = keyof typeof SETTINGS;

/** A setting's spec, as the table's common shape. */
export function specOf(name: SettingName): SettingSpec {
  return SETTINGS[name];
}

/** The settings a command-line flag can set. */
export type FlagSetting = { [K in SettingName]: (typeof SETTINGS)[K] extends { flag: string } ? K : never }[SettingName];

/** How an error names where a module option's value came from. */
export function optionSource(name: string): string {
  return `forRoot/forRootAsync option ${name}`;
}

/** The README's Options table rows, as generated from the settings (a test checks the README against them). */
export function optionsTableRows(): string[] {
  return (Object.entries(SETTINGS) as Array<[SettingName, SettingSpec]>).map(([name, spec]) => {
    const cell = (text: string | undefined) => (text ? `\`${text}\`` : '');
    const option = name === 'debug' ? '' : cell(name);
    const cells = [option, cell(spec.variable), cell(spec.flag), spec.default, spec.doc];
    return `|${cells.map((text) => (text ? ` ${text} ` : ' ')).join('|')}|`;
  });
}
