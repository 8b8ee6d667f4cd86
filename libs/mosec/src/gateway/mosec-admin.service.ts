import { Injectable, Type } from '@nestjs/common';
import { PRIORITY_NAMES } from '../engine/task-queue';
import { readStageOptions } from '../decorators/metadata';
import type { WorkerPool } from '../transport/worker-pool';
import { PipelineGateway } from './pipeline-gateway';

export interface WorkerStatus {
  id: number;
  pid?: number;
  state: 'starting' | 'ready' | 'retiring';
}

/** A stage as an operator sees it. */
export interface StageStatus {
  name: string;
  /** The range it scales in (`min` = `max` for a fixed stage), and the workers it aims at now. */
  min: number;
  max: number;
  desired: number;
  workers: WorkerStatus[];
  /** Tasks waiting in its queue, and by priority. */
  queued: number;
  queuedByPriority: Record<(typeof PRIORITY_NAMES)[number], number>;
  /** Since the service started. */
  batches: number;
  meanBatchSize: number;
  meanForwardMs: number;
}

/**
 * The stages' workers at runtime: `stages()` says what each runs and holds, `scale()` sets how many
 * workers an elastic stage runs (its autoscaler goes on from there). Injectable; served over HTTP,
 * behind the application's guards, with `MosecModule.forRoot({ admin: true })`.
 */
@Injectable()
export class MosecAdmin {
  constructor(private readonly gateway: PipelineGateway) {}

  stages(): StageStatus[] {
    return this.gateway.workerPools.map((pool) => statusOf(pool));
  }

  /**
   * Resolves once the stage (its class, or its name) runs `workers` ready workers, or once a later
   * call or its autoscaler changed the count (with the stage as it then is).
   */
  async scale(stage: Type<unknown> | string, workers: number): Promise<StageStatus> {
    const pool = this.poolOf(stage);
    await pool.scaleTo(workers, 'asked for');
    return statusOf(pool);
  }

  private poolOf(stage: Type<unknown> | string): WorkerPool {
    const name = typeof stage === 'string' ? stage : (readStageOptions(stage)?.name ?? stage.name);
    const pool = this.gateway.workerPools.find((each) => each.stage.name === name);
    if (!pool) throw new RangeError(`no stage ${name} is served`);
    return pool;
  }
}

function statusOf(pool: WorkerPool): StageStatus {
  const { stage } = pool;
  const { batches, items, forwardMs } = stage.load.statistics;
  const byLevel = stage.queue.byLevel;
  return {
    name: stage.name,
    ...pool.range,
    workers: pool.allWorkers().map((w) => ({ id: w.workerId, pid: w.pid, state: w.retiring ? 'retiring' : w.ready ? 'ready' : 'starting' })),
    queued: stage.queued,
    queuedByPriority: { low: byLevel[0], normal: byLevel[1], high: byLevel[2] },
    batches,
    meanBatchSize: batches ? items / batches : 0,
    meanForwardMs: batches ? forwardMs / batches : 0,
  };
}
