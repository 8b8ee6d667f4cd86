import { availableParallelism } from 'node:os';
import { readStageOptions } from '../decorators/metadata';

/**
 * Intra-op threads for one session when the caller does not choose: the cores this process may use,
 * shared among the `workers` processes of the stage, at least 1. Each worker is its own process with
 * its own session, so giving every session all the cores would oversubscribe the machine `workers`
 * times over (2 cores and `num: 2` gives 1 thread each; `num: 1` gives 2).
 */
export function defaultIntraOpThreads(workers = 1, cores = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / Math.max(1, Math.floor(workers))));
}

/** How many worker processes a `@Stage` runs at most (its `num`, or its `max`); 1 for anything that is not a stage. */
export function stageWorkerCount(stage: object | Function): number {
  const type = typeof stage === 'function' ? stage : stage.constructor;
  const options = readStageOptions(type);
  const num = options?.num ?? 1;
  return typeof num === 'object' ? num.max : num;
}
