import type { InferenceSession } from 'onnxruntime-node';
import { onnxRuntime } from './runtime';
import { defaultIntraOpThreads, stageWorkerCount } from './threads';

/** Model file used when no `path` is given. */
export const ONNX_MODEL_ENV = 'MOSEC_ONNX_MODEL';
/** Intra-op threads used when the session options do not set them. */
export const ONNX_THREADS_ENV = 'MOSEC_ONNX_THREADS';

export interface OnnxSessionOptions {
  /** The model file. Default: the environment variable named by `pathEnv`. */
  path?: string;
  /** Environment variable read when `path` is not given. Default `MOSEC_ONNX_MODEL`. */
  pathEnv?: string;
  /** The stage loading the model (instance or class): its `num` sets the default thread count. */
  stage?: object | Function;
  /** Worker processes sharing the machine, when not read from `stage`. Default 1. */
  workers?: number;
  /** Passed to onnxruntime; what is set here wins over the defaults below. */
  sessionOptions?: InferenceSession.SessionOptions;
}

/**
 * onnxruntime's intra-op threads spin for a while after each operator waiting for the next one. A
 * worker shares the cores with the HTTP process and the other stages, which need them between two
 * operators and between two batches: spinning takes that time from them. Measured with the MLP
 * at 64 connections on 2 cores (bench/side-by-side.js, alternating rounds): see bench/README.md.
 */
const NO_SPINNING = { session: { intra_op: { allow_spinning: '0' } } };

/**
 * The session options used: intra-op threads from `sessionOptions`, else `MOSEC_ONNX_THREADS`, else
 * the cores divided among the stage's workers (`defaultIntraOpThreads`); one inter-op thread and
 * sequential execution, since a worker runs one batch at a time; intra-op threads that do not spin
 * (`extra.session.intra_op.allow_spinning: '1'` turns spinning back on).
 */
export function resolveSessionOptions(
  options: OnnxSessionOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): InferenceSession.SessionOptions {
  const workers = options.workers ?? (options.stage ? stageWorkerCount(options.stage) : 1);
  return {
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    ...options.sessionOptions,
    extra: withoutSpinning(options.sessionOptions?.extra),
    intraOpNumThreads: options.sessionOptions?.intraOpNumThreads ?? threadsFromEnv(env) ?? defaultIntraOpThreads(workers),
  };
}

/** The caller's `extra` config entries, with spinning off unless they say otherwise. */
function withoutSpinning(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const session = (extra.session ?? {}) as Record<string, unknown>;
  const intraOp = (session.intra_op ?? {}) as Record<string, unknown>;
  return { ...extra, session: { ...session, intra_op: { ...NO_SPINNING.session.intra_op, ...intraOp } } };
}

function threadsFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env[ONNX_THREADS_ENV];
  if (raw === undefined || raw === '') return undefined;
  const threads = Number(raw);
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`${ONNX_THREADS_ENV} must be an integer >= 1, not "${raw}"`);
  return threads;
}

/** The model path: `path`, else the environment variable; throws when neither is set. */
export function resolveModelPath(options: OnnxSessionOptions = {}, env: NodeJS.ProcessEnv = process.env): string {
  const name = options.pathEnv ?? ONNX_MODEL_ENV;
  const path = options.path ?? env[name];
  if (!path) throw new Error(`no ONNX model: pass \`path\` or set ${name}`);
  return path;
}

/** Loads an onnxruntime-node session; call it inside a stage (constructor or first forward), never in the HTTP process. */
export async function loadOnnxSession(options: OnnxSessionOptions = {}): Promise<InferenceSession> {
  const { InferenceSession } = onnxRuntime();
  return InferenceSession.create(resolveModelPath(options), resolveSessionOptions(options));
}
