/**
 * Entry of a worker process. It loads the pipeline's file, builds a Nest application context of its
 * own stage (not the sibling stages), warms the stage up, reports ready, then serves batches until the
 * HTTP process closes its socket.
 */
import 'reflect-metadata';
import { Logger, LogLevel, Type } from '@nestjs/common';
import { Socket } from 'node:net';
import { register } from '../metrics/stage-registry';
import { readPipelineMetadata } from '../decorators/metadata';
import { now } from '../engine/clock';
import type { WorkerIdentity } from '../interfaces';
import { MESSAGES } from '../mosec.messages';
import { encodeIpc } from '../protocol/codecs';
import { decodeControl, decodeItems, encodeControl, encodeItems, FrameKind, FrameReader } from '../protocol/frame';
import { FatalMessage, MetricsReport, MetricsRequest, ReadyMessage, WORKER_SPEC_ENV, WorkerSpec } from '../protocol/messages';
import { encodeStreamEvent } from '../protocol/stream-frame';
import { decodeCancel } from '../protocol/cancel-frame';
import { WORKER_SOCKET_FD } from '../transport/worker-fd';
import { HeartbeatSender } from './heartbeat-state';
import { ItemCancellation } from './item-cancellation';
import { SharedItems } from './shared-items';
import { StageHost } from './stage-host';
import { GenerationFrames } from './generation-frames';
import { isGenerationWorker } from './generation-worker';
import { stageModule, standaloneStage } from './stage-module';
import { registerTypeScript } from './typescript-loader';
import { WorkerLogger } from './worker-logger';

const spec: WorkerSpec = JSON.parse(process.env[WORKER_SPEC_ENV] ?? '{}');
const workerLogger = new WorkerLogger(spec.stageName, spec.workerId, spec.logLevels as LogLevel[], spec.logJson);
Logger.overrideLogger(workerLogger);
const logger = new Logger('Worker');

// The HTTP process decides when a worker leaves: a signal sent to the whole process group (Ctrl-C in
// a terminal, systemd, `docker stop` with `tini -g`, `kill -TERM -<pgid>`) must not cut the requests it
// is still draining. It closes our socket once they are answered, or dies, and then we go.
process.on('SIGTERM', () => undefined);
process.on('SIGINT', () => undefined);
// Our IPC channel closes when the HTTP process is gone. A worker stuck in a synchronous forward never
// sees this; the parent-death signal it was started with ends it.
process.on('disconnect', () => process.exit(0));

async function start(socket: Socket): Promise<StageHost> {
  const pipeline = loadPipeline();
  const metadata = readPipelineMetadata(pipeline)!;
  const stageClass = metadata.stages[spec.stageIndex];
  const identity: WorkerIdentity = { workerId: spec.workerId, stage: spec.stageName, maxBatchSize: spec.maxBatchSize };
  // mosec-style fields, readable from the constructor on (the instance's own fields are set below too).
  for (const [key, value] of Object.entries(identity)) {
    Object.defineProperty(stageClass.prototype, key, { value, writable: true, configurable: true });
  }
  // Nest's own boot lines, once per worker, are noise; what fails is reported once, by the HTTP process.
  const levels = spec.logLevels as LogLevel[];
  workerLogger.setLogLevels(levels.filter((level) => level !== 'log'));
  workerLogger.quietExceptionHandler = true;
  let instance: any;
  try {
    // Nest's core is loaded only for a stage that injects something (see standaloneStage).
    instance = await standaloneStage(pipeline, stageClass);
    if (!instance) {
      const { NestFactory } = require('@nestjs/core') as typeof import('@nestjs/core');
      const context = await NestFactory.createApplicationContext(stageModule(pipeline, stageClass, identity), { logger: workerLogger, abortOnError: false });
      instance = context.get<unknown, any>(stageClass);
    }
  } catch (error) {
    throw explain(error, pipeline);
  } finally {
    workerLogger.setLogLevels(levels);
    workerLogger.quietExceptionHandler = false;
  }
  Object.assign(instance, identity);
  // A generation stage's maxBatchSize is how many sequences it runs: its forward takes one request.
  const host = new StageHost(instance, spec.maxBatchSize > 1 && !isGenerationWorker(instance), logger);
  const began = now();
  const examples = await host.warmUp();
  const ready: ReadyMessage = { warmUpMs: Math.round(now() - began), examples };
  if (spec.dryRun) ready.requests = host.exampleRequests().map((request) => encodeIpc(request).toString('base64'));
  socket.write(encodeControl(FrameKind.READY, ready));
  // From a thread of its own: a stopped worker sends none; a blocked one says for how long it is.
  host.onItemsDone = (done) => heartbeat.done(done);
  heartbeat.start((error) => logger.error(`heartbeat thread: ${error.message}`));
  return host;
}

/** Sends the heartbeats, with the batch being run. */
const heartbeat = new HeartbeatSender();

/** The `@Pipeline` class, from the file it is written in (compiled, or its TypeScript source). */
function loadPipeline(): Type<unknown> {
  if (/\.(c|m)?tsx?$/.test(spec.pipelineFile)) registerTypeScript(spec.pipelineFile);
  const exported: Record<string, unknown> = require(spec.pipelineFile);
  const candidates = [exported[spec.pipelineName], ...Object.values(exported)];
  const found = candidates.find(
    (value) => typeof value === 'function' && readPipelineMetadata(value)?.path === spec.pipelinePath,
  );
  if (!found) throw new Error(MESSAGES.notExported(spec.pipelineName, spec.pipelineFile));
  return found as Type<unknown>;
}

/**
 * Nest's error for a dependency it cannot find, with what a worker builds and what it does not (and
 * without the stack: it is all Nest's injector).
 */
function explain(error: unknown, pipeline: Type<unknown>): unknown {
  if (!(error instanceof Error) || !/can't resolve dependencies|is not available in|cannot be resolved/i.test(error.message)) return error;
  const explained = new Error(`${error.message.trim()}\n${MESSAGES.workersBuildThePipelineOnly(pipeline.name)}`);
  explained.stack = explained.message;
  return explained;
}

function serve(socket: Socket, host: Promise<StageHost>): void {
  // Batches are run one after another, in arrival order.
  let chain: Promise<unknown> = host;
  const shared = spec.shared && new SharedItems(spec.shared, spec.sharedPrefix!, logger);
  // The cancellation of each item of the batches received and not yet answered (a cancel for any other is stale).
  const cancelled = new Map<number, ItemCancellation[]>();
  // A generation stage takes each frame at once, into its running sequences.
  const generation = host.then((ready) => (isGenerationWorker(ready.worker) ? new GenerationFrames(ready, socket, logger, shared) : undefined));
  // A stage that fails to start is reported once, through the host's own failure, not as an unhandled rejection here too.
  generation.catch(() => undefined);
  const reader = new FrameReader((kind, body) => {
    if (kind === FrameKind.METRICS_REQUEST) return void reportMetrics(socket, decodeControl<MetricsRequest>(body));
    if (kind === FrameKind.CANCEL) {
      const { batchId, index } = decodeCancel(body);
      return void cancelled.get(batchId)?.[index]?.cancel();
    }
    if (kind !== FrameKind.BATCH) return;
    const { batchId, tags, bodies, metas } = decodeItems(kind, body);
    const cancellations = bodies.map(() => new ItemCancellation());
    cancelled.set(batchId, cancellations);
    chain = chain.then(async () => {
      const frames = await generation;
      if (frames) return void frames.take(batchId, tags, bodies, metas, cancellations, () => cancelled.delete(batchId));
      heartbeat.running(batchId);
      await shared?.resolve(tags, bodies);
      // Stream events go out as they come, before the batch's RESULT frame on the same socket.
      const send = (index: number, text: string) => void socket.write(encodeStreamEvent(batchId, index, text));
      const results = await (await host).run(tags, bodies, metas, send, (index) => cancellations[index].cancelled, cancellations);
      await shared?.share(tags, results.statuses, results.bodies);
      socket.write(encodeItems(FrameKind.RESULT, batchId, results.statuses, results.bodies));
      cancelled.delete(batchId);
      heartbeat.running(0);
    });
  });
  socket.on('data', (chunk) => reader.push(chunk));
  // The HTTP process closed our socket (it is done with us), or is gone.
  socket.on('close', () => process.exit(0));
}

/** Sends what the stage recorded with prom-client (its default registry) to the HTTP process. */
async function reportMetrics(socket: Socket, request: MetricsRequest): Promise<void> {
  const report: MetricsReport = { id: request.id, metrics: await register.getMetricsAsJSON() };
  socket.write(encodeControl(FrameKind.METRICS, report));
}

function main(): void {
  // Our end of the socket pair the HTTP process made for us at fork.
  const socket = new Socket({ fd: WORKER_SOCKET_FD, readable: true, writable: true });
  socket.on('error', (error) => {
    logger.error(`socket: ${error.message}`);
    process.exit(1);
  });
  const host = start(socket);
  host.catch((error: Error) => {
    // Reported by the HTTP process, once, with the stage named: not logged here as well.
    const fatal: FatalMessage = { message: error?.stack ?? String(error) };
    socket.end(encodeControl(FrameKind.FATAL, fatal), () => process.exit(1));
  });
  serve(socket, host);
}

main();
