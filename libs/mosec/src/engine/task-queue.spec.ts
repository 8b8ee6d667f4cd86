import v8 from 'node:v8';
import vm from 'node:vm';
import { now } from './clock';
import type { Task } from './task';
import { Priority, TaskQueue } from './task-queue';

function task(id: number, priority: number): Task {
  return { id, priority, cost: 1, enqueuedAt: now(), finished: false } as unknown as Task;
}

function drain(queue: TaskQueue): number[] {
  const served: number[] = [];
  for (let next = queue.peek(); next; next = queue.peek()) {
    queue.take(next);
    served.push(next.id);
  }
  return served;
}

describe('TaskQueue', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('serves higher levels first, and each level in arrival order', () => {
    const queue = new TaskQueue(1000);
    [task(1, Priority.LOW), task(2, Priority.NORMAL), task(3, Priority.HIGH), task(4, Priority.NORMAL), task(5, Priority.HIGH)].forEach((t) => queue.push(t));
    expect(drain(queue)).toEqual([3, 5, 2, 4, 1]);
  });

  it('counts the tasks waiting at each level (what /admin shows), answered and served ones out at once', () => {
    const queue = new TaskQueue(1000);
    const [low, normal, high] = [task(1, Priority.LOW), task(2, Priority.NORMAL), task(3, Priority.HIGH)];
    [low, normal, high, task(4, Priority.HIGH)].forEach((t) => queue.push(t));
    expect([...queue.byLevel]).toEqual([1, 1, 2]);
    queue.discard(high);
    queue.discard(low);
    expect([...queue.byLevel]).toEqual([0, 1, 1]);
    drain(queue);
    expect([...queue.byLevel]).toEqual([0, 0, 0]);
  });

  it('lifts a waiting task one level per aging period, so a low one is served within two', () => {
    const queue = new TaskQueue(100);
    queue.push(task(1, Priority.LOW));
    jest.advanceTimersByTime(150);
    queue.push(task(2, Priority.NORMAL));
    // Waited 150 ms: it counts as normal, and it came first.
    expect(queue.peek()!.id).toBe(1);
    queue.push(task(3, Priority.HIGH));
    // Not yet high: the high one goes first.
    expect(queue.peek()!.id).toBe(3);
    jest.advanceTimersByTime(60);
    // 210 ms: it counts as high now, and it is older than task 3.
    expect(queue.peek()!.id).toBe(1);
  });

  it('never serves an answered task, and counts it out at once', () => {
    const queue = new TaskQueue(1000);
    const tasks = Array.from({ length: 200 }, (_, i) => task(i, i % 3));
    tasks.forEach((t) => queue.push(t));
    for (const t of tasks.slice(0, 150)) queue.discard(t);
    expect(queue.length).toBe(50);
    expect(queue.cost).toBe(50);
    expect(drain(queue).sort((a, b) => a - b)).toEqual(tasks.slice(150).map((t) => t.id));
  });
});

describe('TaskQueue memory', () => {
  it('lets go of answered tasks before they reach the head, so a stalled stage does not keep them', async () => {
    v8.setFlagsFromString('--expose-gc');
    const collectGarbage = vm.runInNewContext('gc') as () => void;
    const queue = new TaskQueue(1000);
    // The first task stays queued and unserved (no worker): the answered ones behind it never reach the head.
    queue.push(task(0, Priority.NORMAL));
    const answered: WeakRef<Task>[] = [];
    for (let i = 1; i <= 200; i++) {
      const waiting = task(i, Priority.NORMAL);
      queue.push(waiting);
      queue.discard(waiting);
      answered.push(new WeakRef(waiting));
    }
    await new Promise((resolve) => setImmediate(resolve)); // a WeakRef holds its target until the turn ends
    collectGarbage();
    expect(answered.filter((ref) => ref.deref() !== undefined).length).toBeLessThan(100);
    expect(queue.peek()!.id).toBe(0);
  });
});
