import type { Batch, WorkerHandle } from './stage-runtime';

/**
 * One of the places of a generation stage's worker: the worker runs many sequences at once (its
 * continuous batch), each taken as a task of its own. The stage sees a worker of `maxBatchSize` slots
 * as that many handles, each running one task, so that its queue, dispatch, timeouts and crash retry
 * work unchanged; everything a slot is asked goes to its process.
 */
export class WorkerSlot implements WorkerHandle {
  constructor(
    readonly process: WorkerHandle,
    readonly index: number,
  ) {}

  get label(): string {
    return this.process.label;
  }

  dispatch(batch: Batch): void {
    this.process.dispatch(batch);
  }

  kill(reason: string): void {
    this.process.kill(reason);
  }

  cancel(batchId: number, index: number): void {
    this.process.cancel?.(batchId, index);
  }
}

/** The handles the stage keeps for a worker: its slots, or the worker itself. */
export function slotsFor(worker: WorkerHandle, generation: boolean | undefined, maxBatchSize: number): WorkerHandle[] {
  if (!generation) return [worker];
  return Array.from({ length: maxBatchSize }, (_, index) => new WorkerSlot(worker, index));
}
