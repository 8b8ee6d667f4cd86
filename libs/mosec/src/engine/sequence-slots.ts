import type { Batch, Slot } from './batch';

/**
 * One of the places of a generation stage's worker: the worker runs many sequences at once (its
 * continuous batch), each taken as a task of its own. The stage sees a worker of `maxBatchSize`
 * sequences as that many slots, each running one task, so that its queue, dispatch, timeouts and
 * crash retry work unchanged; everything a sequence slot is asked goes to its worker's slot.
 */
export class SequenceSlot implements Slot {
  constructor(
    readonly worker: Slot,
    readonly index: number,
  ) {}

  get label(): string {
    return this.worker.label;
  }

  dispatch(batch: Batch): void {
    this.worker.dispatch(batch);
  }

  kill(reason: string): void {
    this.worker.kill(reason);
  }

  cancel(batchId: number, index: number): void {
    this.worker.cancel?.(batchId, index);
  }
}

/** The slots the stage keeps for a worker: one per sequence on a generation stage, else the worker itself. */
export function slotsFor(worker: Slot, generation: boolean | undefined, maxBatchSize: number): Slot[] {
  if (!generation) return [worker];
  return Array.from({ length: maxBatchSize }, (_, index) => new SequenceSlot(worker, index));
}
