import type { AdaptiveWait } from './adaptive-wait';
import type { BatchPolicy } from './batch';
import { itemFlags, Task } from './task';
import type { TaskQueue } from './task-queue';

// How a stage forms what it sends a worker: how many items, how heavy, and when a busy worker gets
// its next batch early. StageRuntime decides when; this decides what.

/** Most tasks sent to a worker of a non-batching stage in one frame, */
const MAX_ITEMS_PER_FRAME = 64;
/**
 * and about this much work beyond a lone item's (ms of forwards, as measured): a higher-priority task
 * waits for no more than that and the frame's own way there and back.
 */
const FRAME_WORK_MS = 5;
/** and most payload bytes (one larger item still goes alone): each frame is one copy in each process. */
const MAX_BYTES_PER_FRAME = 8 * 1024 * 1024;
/**
 * A batching stage sends a busy worker its next batch this long before its forward should end, so
 * that the result's way back and the next batch's way in overlap the forward instead of following it,
 */
const SEND_AHEAD_MS = 2;
/** or this share of a longer forward: a timer fires a few ms late on a busy machine, past a 2 ms lead. */
const SEND_AHEAD_SHARE = 0.02;
/** for forwards at least this long (shorter ones gain little, and commit items to a worker early). */
export const SEND_AHEAD_MIN_FORWARD_MS = 5;

/**
 * Takes the next batch (or frame of items) from the queue: up to `limit` tasks, within the stage's
 * `maxBatchCost` and, for a stage that does not batch, `MAX_BYTES_PER_FRAME`. A task `refuses`
 * answers instead (quarantined) has left the queue and is skipped.
 */
export function takeBatch(queue: TaskQueue, limit: number, policy: BatchPolicy, refuses: (task: Task) => boolean): Task[] {
  const maxCost = policy.maxBatchCost ?? Infinity;
  const maxBytes = policy.maxBatchSize > 1 ? Infinity : MAX_BYTES_PER_FRAME;
  const tasks: Task[] = [];
  let cost = 0;
  let bytes = 0;
  while (tasks.length < limit) {
    const task = queue.peek();
    // Answered now, it has left the queue.
    if (task && refuses(task)) continue;
    if (!task || (tasks.length > 0 && (task.alone || cost + task.cost! > maxCost || bytes + task.payload.length > maxBytes))) break;
    queue.take(task);
    tasks.push(task);
    cost += task.cost!;
    bytes += task.payload.length;
    // A task whose worker died is run again on its own (see Engine.workerLost).
    if (task.alone) break;
  }
  return tasks;
}

/**
 * How many tasks the next dispatch takes. A batching stage takes a batch. A stage that does not
 * batch still gets its backlog in few frames (its worker calls `forward` once per item), shared
 * evenly among all its workers, so a worker freed a moment later finds its share: per-message
 * cost, not `forward`, is what limits a light stage. A frame holds about `FRAME_WORK_MS` of
 * forwards beyond its first item's (`perItemMs`: what each item adds to a frame's time, without
 * the frame's fixed part, see FrameWork; on a busy machine a frame of one light item takes ~10 ms
 * to come back, mostly waiting to be scheduled, and counting that as work would send a backlog one
 * item at a time), so a stage whose items take long sends them one by one (two now and then, with
 * `probe`, to measure again), and a high-priority task never waits behind a frame of others.
 */
export function itemsPerDispatch(maxBatchSize: number, perItemMs: number, queued: number, workerCount: number, probe = false): number {
  if (maxBatchSize > 1) return maxBatchSize;
  const byWork = perItemMs > 0 ? Math.max(probe ? 2 : 1, 1 + Math.floor(FRAME_WORK_MS / perItemMs)) : MAX_ITEMS_PER_FRAME;
  return Math.min(MAX_ITEMS_PER_FRAME, byWork, Math.ceil(queued / workerCount));
}

/** An item's weight: the stage's `batchCost` of its payload (1 if it has none, or if it throws). */
export function itemCost(policy: BatchPolicy, task: Task): number {
  if (!policy.batchCost) return 1;
  try {
    const cost = policy.batchCost(task.payload, itemFlags(task));
    return Number.isFinite(cost) && cost >= 0 ? cost : 1;
  } catch {
    return 1; // an item that cannot be decoded fails in the worker, with the reason
  }
}

/** How long before a busy worker's forward should end it gets its next batch. */
export function sendAheadLead(forwardMs: number): number {
  return Math.max(SEND_AHEAD_MS, forwardMs * SEND_AHEAD_SHARE);
}

/** When the batch at the head of the queue is ready to leave (now or later); undefined if none waits. */
export function batchClosesAt(queue: TaskQueue, policy: BatchPolicy, adaptive: AdaptiveWait | undefined): number | undefined {
  const first = queue.peek();
  if (!first) return undefined;
  // A generation worker's steps are its batches: a sequence joins the next one without waiting for others.
  if (first.alone || policy.generation) return 0;
  const { maxBatchSize, maxWaitTime } = policy;
  const full = queue.length >= maxBatchSize || queue.cost >= (policy.maxBatchCost ?? Infinity);
  if (full) return 0;
  if (adaptive) return adaptive.closesAt(first.enqueuedAt, queue.length, maxBatchSize);
  return maxWaitTime <= 0 ? 0 : first.enqueuedAt + maxWaitTime;
}
