import type { LogLevel, Type } from '@nestjs/common';
import { DEFAULTS } from '../mosec.constants';
import { MESSAGES } from '../mosec.messages';
import { checkDaemons, DaemonOptions } from './daemon-options';
import { readCommandLine } from './command-line';
import { Given, integerOf, onOffOf, SettingReader } from './setting-reader';
import { SETTINGS } from './settings';
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
    const read = new SettingReader(options ?? {}, env, readCommandLine(argv));
    this.pipelines = extras.pipelines ?? [];
    this.readinessPath = routePath('readinessPath', extras.readinessPath ?? DEFAULTS.readinessPath);
    this.metricsPath = routePath('metricsPath', extras.metricsPath ?? DEFAULTS.metricsPath);
    this.guardProbes = extras.guardProbes ?? false;
    this.port = read.integer('port', DEFAULTS.port);
    this.address = read.text('address', DEFAULTS.address);
    this.timeout = read.integer('timeout', DEFAULTS.timeout);
    this.wait = waitOf(read.given('wait'));
    this.capacity = read.integer('capacity', DEFAULTS.capacity);
    this.maxRequestSize = read.integer('maxRequestSize', DEFAULTS.maxRequestSize);
    this.namespace = read.text('namespace', DEFAULTS.namespace);
    this.logLevel = logLevelOf(read);
    this.shutdownTimeout = read.integer('shutdownTimeout', this.timeout);
    this.logFormat = read.choice('logFormat', 'text');
    this.dryRun = read.onOff('dryRun', false);
    this.compression = read.onOff('compression', false);
    this.metrics = read.onOff('metrics', true);
    this.forbidUnknown = read.onOff('forbidUnknown', false);
    this.bodyShape = {
      maxObjectKeys: read.integer('maxObjectKeys', DEFAULTS.maxObjectKeys),
      maxArrayLength: read.integer('maxArrayLength', DEFAULTS.maxArrayLength),
      maxBodyValues: read.integer('maxBodyValues', DEFAULTS.maxBodyValues),
      maxBodyDepth: read.integer('maxBodyDepth', DEFAULTS.maxBodyDepth),
    };
    if (this.bodyShape.maxBodyDepth > MAX_NESTING) {
      throw new Error(MESSAGES.notAnInteger(read.given('maxBodyDepth')![0], 1, MAX_NESTING, read.given('maxBodyDepth')![1]));
    }
    this.openapi = options.openapi ?? {};
    this.readTimeout = read.integer('readTimeout', this.timeout + DEFAULTS.uploadAllowance);
    this.headersTimeout = read.integer('headersTimeout', Math.min(DEFAULTS.headersTimeout, this.readTimeout));
    if (this.headersTimeout > this.readTimeout) throw new Error(MESSAGES.headersAfterRead(this.headersTimeout, this.readTimeout));
    this.idleTimeout = read.integer('idleTimeout', DEFAULTS.idleTimeout);
    this.writeTimeout = read.integer('writeTimeout', DEFAULTS.writeTimeout);
    const connections = read.given('maxConnections');
    this.maxConnections = connections && integerOf(connections, SETTINGS.maxConnections);
    this.maxBytesInFlight = read.integer('maxBytesInFlight', DEFAULTS.maxBytesInFlight);
    if (this.maxBytesInFlight < this.maxRequestSize) {
      throw new Error(MESSAGES.budgetBelowRequest(this.maxBytesInFlight, this.maxRequestSize));
    }
    this.heartbeatTimeout = read.integer('heartbeatTimeout', DEFAULTS.heartbeatTimeout);
    this.quarantine = read.integer('quarantine', DEFAULTS.quarantine);
    this.maxStreamResets = read.integer('maxStreamResets', DEFAULTS.maxStreamResets);
    this.scaleDownAfter = read.integer('scaleDownAfter', DEFAULTS.scaleDownAfter);
    this.ipc = ipcOf(read.given('ipc'));
    this.ipcThreshold = read.integer('ipcThreshold', DEFAULTS.ipcThreshold);
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
 * variable, so `--log-level warning` beats `MOSEC_DEBUG=1`, and `--no-debug` sets `MOSEC_DEBUG` aside.
 */
function logLevelOf(read: SettingReader): MosecConfig['logLevel'] {
  const debug = read.given('debug');
  const level = read.given('logLevel');
  const isFlag = (given: Given | undefined) => given?.[0].startsWith('flag ') ?? false;
  const debugOn = debug !== undefined && onOffOf(debug);
  if (isFlag(debug) && debugOn) return 'debug';
  if (!isFlag(level) && !isFlag(debug) && debugOn) return 'debug';
  return read.choice('logLevel', 'info');
}

/** `auto` or milliseconds, from a flag, a variable or the option; `auto` by default. */
function waitOf(given: Given | undefined): number | 'auto' {
  if (!given) return DEFAULTS.wait;
  const [source, raw] = given;
  if (typeof raw === 'string' && raw.trim().toLowerCase() === 'auto') return 'auto';
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (source.startsWith('forRoot') && !(Number.isInteger(value) && (value as number) >= 0)) {
    throw new Error(MESSAGES.notAWait(source, raw));
  }
  return integerOf(given, SETTINGS.wait);
}

/** shm, socket, or a Redis URL (`MOSEC_IPC=redis://…`, or the option's `{ redis }`); shm by default. */
function ipcOf(given: Given | undefined): IpcChoice {
  if (!given) return 'shm';
  const [source, raw] = given;
  const choice = typeof raw === 'string' && /^rediss?:\/\//.test(raw) ? { redis: raw } : raw;
  if (choice === 'shm' || choice === 'socket') return choice;
  if (typeof choice === 'object' && choice !== null && typeof (choice as { redis?: unknown }).redis === 'string' && /^rediss?:\/\//.test((choice as { redis: string }).redis)) {
    return choice as { redis: string };
  }
  const example = source.startsWith('env') ? 'redis://host:port' : "{ redis: 'redis://host:port' }";
  const shown = typeof raw === 'string' ? raw : JSON.stringify(raw);
  throw new Error(MESSAGES.notAnIpc(source, example, shown));
}

function routePath(name: string, path: string): string {
  if (typeof path !== 'string' || !path.startsWith('/')) throw new Error(MESSAGES.notARoutePath(name, path));
  return path;
}
