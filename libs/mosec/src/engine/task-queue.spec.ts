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
    expect(queue.byLevel).toEqual([1, 2, 2]);
    expect(drain(queue)).toEqual([3, 5, 2, 4, 1]);
    expect(queue.length).toBe(0);
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
