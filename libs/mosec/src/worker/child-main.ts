/**
 * Entry of a worker process. It builds a Nest application context of the pipeline module (so stage
 * constructors get their dependencies), warms the stage up, reports ready, then serves batches.
 */
import 'reflect-metadata';
import { Logger, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Socket } from 'node:net';
import { PIPELINE_METADATA, PipelineMetadata } from '../decorators/metadata';
import { register } from 'prom-client';
import { decodeControl, decodeItems, encodeControl, encodeItems, FrameKind, FrameReader } from '../protocol/frame';
import { encodeIpc } from '../protocol/codecs';
import { StageHost } from './stage-host';
import { encodeStreamEvent } from '../protocol/stream-frame';
import { WORKER_SOCKET_FD } from '../transport/worker-fd';
import { WorkerLogger } from './worker-logger';
import { FatalMessage, MetricsReport, MetricsRequest, ReadyMessage, WORKER_SPEC_ENV, WorkerSpec } from '../protocol/messages';
import { now } from '../engine/clock';

const spec: WorkerSpec = JSON.parse(process.env[WORKER_SPEC_ENV] ?? '{}');
const workerLogger = new WorkerLogger(spec.stageName, spec.workerId, spec.logLevels as LogLevel[], spec.logJson);
Logger.overrideLogger(workerLogger);
const logger = new Logger('Worker');

// The HTTP process holds our IPC channel: when it goes away, so do we (no orphans). A worker stuck
// in a synchronous forward never sees this; the parent-death signal it was started with ends it.
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => undefined); // a terminal's Ctrl-C reaches the whole group: the parent decides

async function start(socket: Socket): Promise<StageHost> {
  const exported = require(spec.moduleFile)[spec.exportName];
  const pipeline: PipelineMetadata | undefined = exported && Reflect.getMetadata(PIPELINE_METADATA, exported);
  if (!pipeline) throw new Error(`${spec.exportName} in ${spec.moduleFile} is not a @Pipeline module`);
  const stageClass = pipeline.stages[spec.stageIndex];
  // Nest's own boot lines, once per worker, are noise: they are kept below info while the context builds.
  const levels = spec.logLevels as LogLevel[];
  workerLogger.setLogLevels(levels.filter((level) => level !== 'log'));
  const context = await NestFactory.createApplicationContext(exported, { logger: workerLogger, abortOnError: false });
  workerLogger.setLogLevels(levels);
  const instance = context.get<unknown, any>(stageClass, { strict: false });
  Object.assign(instance, { workerId: spec.workerId, stage: spec.stageName, maxBatchSize: spec.maxBatchSize });
  const host = new StageHost(instance, spec.maxBatchSize > 1, logger);
  const began = now();
  const examples = await host.warmUp();
  const ready: ReadyMessage = { warmUpMs: Math.round(now() - began), examples };
  if (spec.dryRun) ready.requests = host.exampleRequests().map((request) => encodeIpc(request).toString('base64'));
  socket.write(encodeControl(FrameKind.READY, ready));
  return host;
}

function serve(socket: Socket, host: Promise<StageHost>): void {
  // Batches are run one after another, in arrival order.
  let chain: Promise<unknown> = host;
  const reader = new FrameReader((kind, body) => {
    if (kind === FrameKind.METRICS_REQUEST) return void reportMetrics(socket, decodeControl<MetricsRequest>(body));
    if (kind !== FrameKind.BATCH) return;
    const { batchId, tags, bodies } = decodeItems(kind, body);
    chain = chain.then(async () => {
      // Stream events go out as they come, before the batch's RESULT frame on the same socket.
      const results = await (await host).run(tags, bodies, (index, text) => socket.write(encodeStreamEvent(batchId, index, text)));
      socket.write(encodeItems(FrameKind.RESULT, batchId, results.statuses, results.bodies));
    });
  });
  socket.on('data', (chunk) => reader.push(chunk));
  // The HTTP process closed our socket, or is gone.
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
    const fatal: FatalMessage = { message: error?.stack ?? String(error) };
    logger.error(`failed to start: ${fatal.message}`);
    socket.end(encodeControl(FrameKind.FATAL, fatal), () => process.exit(1));
  });
  serve(socket, host);
}

main();
