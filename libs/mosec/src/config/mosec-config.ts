import type { LogLevel, Type } from '@nestjs/common';
import { DEFAULTS } from '../mosec.constants';
import { checkDaemons, DaemonOptions } from './daemon-options';
import { overriding, readCommandLine, Setting } from './command-line';
import type { IpcChoice } from '../ipc/shared-payloads';
import type { BodyShapeLimits } from '../validation/shape-count';
import { MAX_NESTING } from '../protocol/nesting';
import type { MosecExtras, MosecOptions } from './mosec-options';

/**
 * The options in force: module options, each overridden by its `MOSEC_*` environment variable, and
 * mosec's settings by their command-line flag above both.
 */
export class MosecConfig {
  readonly pipelines: Type<unknown>[];
  readonly readinessPath: string;
  readonly metricsPath: string;
  readonly guardProbes: boolean;
  readonly port: number;
  readonly address: string;
  readonly timeout: number;
  /** Milliseconds a batch waits to fill (or `'auto'`), in stages whose `@Stage` sets no `maxWaitTime`. */
  readonly wait: number | 'auto';
  readonly capacity: number;
  readonly maxRequestSize: number;
  readonly namespace: string;
  readonly logLevel: 'debug' | 'info' | 'warning' | 'error';
  readonly shutdownTimeout: number;
  readonly metrics: boolean;
  readonly forbidUnknown: boolean;
  /** How much structure a body checked against a request DTO may have before 413. */
  readonly bodyShape: BodyShapeLimits;
  readonly openapi: Exclude<MosecOptions['openapi'], undefined>;
  readonly logFormat: 'text' | 'json';
  readonly dryRun: boolean;
  /** Compress answers as `Accept-Encoding` asks, and take compressed request bodies. */
  readonly compression: boolean;
  readonly headersTimeout: number;
  readonly readTimeout: number;
  readonly idleTimeout: number;
  readonly writeTimeout: number;
  /** Undefined: from the open-files limit, when the service knows its worker count. */
  readonly maxConnections?: number;
  readonly maxBytesInFlight: number;
  readonly heartbeatTimeout: number;
  readonly quarantine: number;
  readonly maxStreamResets: number;
  readonly scaleDownAfter: number;
  readonly ipc: IpcChoice;
  readonly ipcThreshold: number;
  readonly daemons: DaemonOptions[];

  /** `argv`: the command-line arguments after the script's path. */
  constructor(options: MosecOptions, extras: MosecExtras, env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = process.argv.slice(2)) {
    const line = readCommandLine(argv);
    const given = (setting: Setting) => overriding(line, env, setting);
    this.pipelines = extras.pipelines ?? [];
    this.readinessPath = routePath('readinessPath', extras.readinessPath ?? DEFAULTS.readinessPath);
    this.metricsPath = routePath('metricsPath', extras.metricsPath ?? DEFAULTS.metricsPath);
    this.guardProbes = extras.guardProbes ?? false;
    this.port = integer(...given('port'), options.port ?? DEFAULTS.port, 0, 65535);
    this.address = given('address')[1] || options.address || DEFAULTS.address;
    this.timeout = integer(...given('timeout'), options.timeout ?? DEFAULTS.timeout, 1);
    this.wait = waitGiven(given('wait'), options.wait ?? DEFAULTS.wait);
    this.capacity = integer(...given('capacity'), options.capacity ?? DEFAULTS.capacity, 1);
    this.maxRequestSize = integer(...given('maxRequestSize'), options.maxRequestSize ?? DEFAULTS.maxRequestSize, 1);
    this.namespace = given('namespace')[1] || options.namespace || DEFAULTS.namespace;
    const [levelFrom, levelGiven] = logLevelGiven(given('debug'), given('logLevel'));
    const level = (levelGiven || options.logLevel || 'info').toLowerCase();
    if (!['debug', 'info', 'warning', 'error'].includes(level)) {
      throw new Error(`${levelFrom} must be debug, info, warning or error, not "${level}"`);
    }
    this.logLevel = level as MosecConfig['logLevel'];
    this.shutdownTimeout = options.shutdownTimeout ?? this.timeout;
    const format = (env.MOSEC_LOG_FORMAT || options.logFormat || 'text').toLowerCase();
    if (format !== 'text' && format !== 'json') throw new Error(`MOSEC_LOG_FORMAT must be text or json, not "${format}"`);
    this.logFormat = format;
    this.dryRun = flag(given('dryRun')[1]) ?? options.dryRun ?? false;
    this.compression = flag(given('compression')[1]) ?? options.compression ?? false;
    this.metrics = flag(env.MOSEC_METRICS) ?? options.metrics ?? true;
    this.forbidUnknown = options.forbidUnknown ?? false;
    this.bodyShape = {
      maxObjectKeys: integer('MOSEC_MAX_OBJECT_KEYS', env.MOSEC_MAX_OBJECT_KEYS, options.maxObjectKeys ?? DEFAULTS.maxObjectKeys, 1),
      maxArrayLength: integer('MOSEC_MAX_ARRAY_LENGTH', env.MOSEC_MAX_ARRAY_LENGTH, options.maxArrayLength ?? DEFAULTS.maxArrayLength, 1),
      maxBodyValues: integer('MOSEC_MAX_BODY_VALUES', env.MOSEC_MAX_BODY_VALUES, options.maxBodyValues ?? DEFAULTS.maxBodyValues, 1),
      maxBodyDepth: integer('MOSEC_MAX_BODY_DEPTH', env.MOSEC_MAX_BODY_DEPTH, options.maxBodyDepth ?? DEFAULTS.maxBodyDepth, 1, MAX_NESTING),
    };
    this.openapi = options.openapi ?? {};
    this.readTimeout = integer('MOSEC_READ_TIMEOUT', env.MOSEC_READ_TIMEOUT, options.readTimeout ?? this.timeout + DEFAULTS.uploadAllowance, 1);
    this.headersTimeout = integer('MOSEC_HEADERS_TIMEOUT', env.MOSEC_HEADERS_TIMEOUT, options.headersTimeout ?? Math.min(DEFAULTS.headersTimeout, this.readTimeout), 1);
    if (this.headersTimeout > this.readTimeout) throw new Error(`headersTimeout (${this.headersTimeout}) must not be longer than readTimeout (${this.readTimeout})`);
    this.idleTimeout = integer('MOSEC_IDLE_TIMEOUT', env.MOSEC_IDLE_TIMEOUT, options.idleTimeout ?? DEFAULTS.idleTimeout, 1);
    this.writeTimeout = integer('MOSEC_WRITE_TIMEOUT', env.MOSEC_WRITE_TIMEOUT, options.writeTimeout ?? DEFAULTS.writeTimeout, 1);
    const connections = env.MOSEC_MAX_CONNECTIONS ?? options.maxConnections;
    this.maxConnections = connections === undefined ? undefined : integer('MOSEC_MAX_CONNECTIONS', String(connections), 0, 1);
    this.maxBytesInFlight = integer('MOSEC_MAX_BYTES_IN_FLIGHT', env.MOSEC_MAX_BYTES_IN_FLIGHT, options.maxBytesInFlight ?? DEFAULTS.maxBytesInFlight, 1);
    if (this.maxBytesInFlight < this.maxRequestSize) {
      throw new Error(`maxBytesInFlight (${this.maxBytesInFlight}) must be at least maxRequestSize (${this.maxRequestSize}), or no request of that size could be taken`);
    }
    this.heartbeatTimeout = integer('MOSEC_HEARTBEAT_TIMEOUT', env.MOSEC_HEARTBEAT_TIMEOUT, options.heartbeatTimeout ?? DEFAULTS.heartbeatTimeout, 1000);
    this.quarantine = integer('MOSEC_QUARANTINE', env.MOSEC_QUARANTINE, options.quarantine ?? DEFAULTS.quarantine, 0);
    this.maxStreamResets = integer('MOSEC_MAX_STREAM_RESETS', env.MOSEC_MAX_STREAM_RESETS, options.maxStreamResets ?? DEFAULTS.maxStreamResets, 1);
    this.scaleDownAfter = integer('MOSEC_SCALE_DOWN_AFTER', env.MOSEC_SCALE_DOWN_AFTER, options.scaleDownAfter ?? DEFAULTS.scaleDownAfter, 1);
    this.ipc = ipcChoice(env.MOSEC_IPC, options.ipc);
    this.ipcThreshold = integer('MOSEC_IPC_THRESHOLD', env.MOSEC_IPC_THRESHOLD, options.ipcThreshold ?? DEFAULTS.ipcThreshold, 1);
    this.daemons = checkDaemons(options.daemons);
  }

  /** The Nest logger levels that the log level lets through. */
  get nestLogLevels(): LogLevel[] {
    const order: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
    const upTo = { error: 'error', warning: 'warn', info: 'log', debug: 'verbose' }[this.logLevel] as LogLevel;
    return order.slice(0, order.indexOf(upTo) + 1);
  }
}

/**
 * `--debug` is `--log-level debug`, and `MOSEC_DEBUG=1` is `MOSEC_LOG_LEVEL=debug`; a flag beats a
 * variable, so `--log-level warning` beats `MOSEC_DEBUG=1`.
 */
function logLevelGiven(debug: [string, string | undefined], logLevel: [string, string | undefined]): [string, string | undefined] {
  const [debugFrom, debugRaw] = debug;
  const isFlag = (name: string) => name.startsWith('--');
  if (isFlag(debugFrom) && flag(debugRaw)) return [debugFrom, 'debug'];
  // `--no-debug` also sets `MOSEC_DEBUG` aside.
  if (isFlag(logLevel[0]) || isFlag(debugFrom)) return logLevel;
  return flag(debugRaw) ? [debugFrom, 'debug'] : logLevel;
}

/** `auto` or milliseconds, from a flag or variable, over the option. */
function waitGiven([from, raw]: [string, string | undefined], option: number | 'auto'): number | 'auto' {
  if (raw?.trim().toLowerCase() === 'auto') return 'auto';
  if (raw === undefined || raw === '') {
    if (option === 'auto' || (Number.isInteger(option) && option >= 0)) return option;
    throw new Error(`wait must be 'auto' or an integer of at least 0, not ${JSON.stringify(option)}`);
  }
  return integer(from, raw, 0, 0);
}

/** `MOSEC_IPC` (shm, socket, or a redis:// URL) over the option; shm by default. */
function ipcChoice(raw: string | undefined, option: MosecOptions['ipc']): IpcChoice {
  const choice = raw ? (/^rediss?:\/\//.test(raw) ? { redis: raw } : raw) : (option ?? 'shm');
  if (choice === 'shm' || choice === 'socket') return choice;
  if (typeof choice === 'object' && choice !== null && typeof choice.redis === 'string' && /^rediss?:\/\//.test(choice.redis)) return choice;
  const shown = typeof choice === 'string' ? choice : JSON.stringify(choice);
  throw new Error(`${raw ? 'MOSEC_IPC' : 'ipc'} must be shm, socket or a redis:// URL (${raw ? 'redis://host:port' : "{ redis: 'redis://host:port' }"}), not ${shown}`);
}

function routePath(name: string, path: string): string {
  if (typeof path !== 'string' || !path.startsWith('/')) throw new Error(`MosecModule: ${name} must start with "/", not "${path}"`);
  return path;
}

/** An on/off variable: undefined when unset. */
function flag(raw: string | undefined): boolean | undefined {
  if (raw === undefined || raw === '') return undefined;
  return !['0', 'false', 'off', 'no'].includes(raw.toLowerCase());
}

function integer(name: string, raw: string | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, not "${raw ?? fallback}"`);
  }
  return value;
}
