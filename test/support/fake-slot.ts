import type { Batch, Slot } from '../../libs/mosec/src/engine/batch';

/**
 * A worker as the engine sees it, without a process: it records the batches it is sent, the kill
 * and the cancels it gets, and the test decides when each batch finishes (`engine.complete`).
 */
export class FakeSlot implements Slot {
  readonly batches: Batch[] = [];
  readonly cancels: Array<[batchId: number, index: number]> = [];
  killed?: string;
  constructor(readonly label = 'w') {}
  dispatch(batch: Batch): void {
    this.batches.push(batch);
  }
  kill(reason: string): void {
    this.killed = reason;
  }
  cancel(batchId: number, index: number): void {
    this.cancels.push([batchId, index]);
  }
}
