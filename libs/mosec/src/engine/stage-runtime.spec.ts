import fc from 'fast-check';
import { Engine } from './engine';
import type { Batch } from './batch';
import type { Route } from './task';
import { FakeSlot } from '../../../../test/support/fake-slot';

function setup(policy: { maxBatchSize: number; maxWaitTime: number; timeout?: number; adaptiveWait?: boolean }, options = { timeout: 3000, capacity: 1024 }) {
  const engine = new Engine(options);
  const stage = engine.createStage('S', { timeout: 0, ...policy });
  const route: Route = { path: '/x', stages: [stage] };
  const answers: Array<{ id: number; status: number; body: string }> = [];
  const submit = (text = 'p') => {
    const task = engine.submit(route, Buffer.from(text), 0, (status, body, task) => answers.push({ id: task.id, status, body: body.toString() }));
    flush();
    return task;
  };
  return { engine, stage, route, answers, submit };
}

/** Runs what the stages scheduled for the end of the event-loop turn (dispatches). */
const flush = () => jest.advanceTimersByTime(0);

const ok = (batch: Batch) => batch.tasks.map(() => 200);
const echo = (batch: Batch) => batch.tasks.map((t) => t.payload);

describe('StageRuntime batching', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('closes a batch as soon as it is full', () => {
    const { stage, submit } = setup({ maxBatchSize: 4, maxWaitTime: 1000 });
    const worker = new FakeSlot('w');
    stage.addWorker(worker);
    flush();
    for (let i = 0; i < 4; i++) submit();
    expect(worker.batches.map((b) => b.tasks.length)).toEqual([4]);
  });

  it('closes a partial batch maxWaitTime after its first item', () => {
    const { stage, submit } = setup({ maxBatchSize: 8, maxWaitTime: 50 });
    const worker = new FakeSlot('w');
    stage.addWorker(worker);
    flush();
    submit();
    jest.advanceTimersByTime(30);
    submit();
    expect(worker.batches).toHaveLength(0);
    jest.advanceTimersByTime(21);
    expect(worker.batches.map((b) => b.tasks.length)).toEqual([2]);
  });

  it('does not wait when batching is off', () => {
    const { stage, submit } = setup({ maxBatchSize: 1, maxWaitTime: 50 });
    const worker = new FakeSlot('w');
    stage.addWorker(worker);
    flush();
    submit();
    expect(worker.batches).toHaveLength(1);
  });

  it('hands the next batch to whichever worker is idle (work sharing)', () => {
    const { engine, stage, submit } = setup({ maxBatchSize: 2, maxWaitTime: 0 });
    const [a, b] = [new FakeSlot('a'), new FakeSlot('b')];
    stage.addWorker(a);
    flush();
    stage.addWorker(b);
    flush();
    for (let i = 0; i < 6; i++) submit();
    expect(a.batches.length + b.batches.length).toBe(2);
    const busy = a.batches.length ? a : b;
    engine.complete(stage, busy, busy.batches[0].id, ok(busy.batches[0]), echo(busy.batches[0]));
    flush();
    expect(busy.batches).toHaveLength(2);
  });

  it('sends a waiting queue at once when a worker frees up after maxWaitTime', () => {
    const { engine, stage, submit } = setup({ maxBatchSize: 8, maxWaitTime: 10 });
    const worker = new FakeSlot('w');
    stage.addWorker(worker);
    flush();
    for (let i = 0; i < 8; i++) submit();
    for (let i = 0; i < 3; i++) submit();
    jest.advanceTimersByTime(100);
    const [first] = worker.batches;
    engine.complete(stage, worker, first.id, ok(first), echo(first));
    flush();
    expect(worker.batches.map((b) => b.tasks.length)).toEqual([8, 3]);
  });

  it("does not make one client's requests wait for a batch ('auto'), even after a slow forward", () => {
    const { engine, stage, submit } = setup({ maxBatchSize: 8, maxWaitTime: 0, adaptiveWait: true });
    const worker = new FakeSlot('w');
    stage.addWorker(worker);
    flush();
    // One client: each request sent once the one before is answered, each forward 10 ms; one slow.
    for (let i = 0; i < 20; i++) {
      submit();
      expect(worker.batches).toHaveLength(i + 1); // dispatched at once, not held for company
      jest.advanceTimersByTime(i === 19 ? 15 : 10);
      const batch = worker.batches[i];
      engine.complete(stage, worker, batch.id, ok(batch), echo(batch));
      flush();
    }
    submit();
    expect(worker.batches).toHaveLength(21);
  });

  it('skips tasks answered while queued', () => {
    const { engine, stage, submit, answers } = setup({ maxBatchSize: 4, maxWaitTime: 0 });
    const tasks = [submit(), submit(), submit()];
    engine.finish(tasks[1]!, 499, 'gone');
    const worker = new FakeSlot('w');
    stage.addWorker(worker);
    flush();
    expect(worker.batches[0].tasks.map((t) => t.id)).toEqual([tasks[0]!.id, tasks[2]!.id]);
    expect(answers).toEqual([{ id: tasks[1]!.id, status: 499, body: 'gone' }]);
  });

  it('kills a worker that overruns the stage timeout and answers its tasks 408', () => {
    const { stage, submit, answers, engine } = setup({ maxBatchSize: 2, maxWaitTime: 0, timeout: 100 });
    const worker = new FakeSlot('w');
    stage.addWorker(worker);
    flush();
    submit();
    jest.advanceTimersByTime(101);
    expect(worker.killed).toMatch(/longer than 100 ms/);
    expect(answers.map((a) => a.status)).toEqual([408]);
    expect(engine.activeTasks).toBe(0);
  });

  it('never exceeds maxBatchSize and answers every task exactly once', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.oneof(fc.constant('submit'), fc.constant('tick'), fc.constant('finish'), fc.constant('fail')), { maxLength: 200 }),
        (maxBatchSize, maxWaitTime, workers, steps) => {
          const { engine, stage, submit, answers } = setup({ maxBatchSize, maxWaitTime });
          const pool = Array.from({ length: workers }, (_, i) => new FakeSlot(String(i)));
          pool.forEach((w) => stage.addWorker(w));
          flush();
          const open = new Map<FakeSlot, Batch>();
          const collect = () =>
            pool.forEach((w) => {
              const last = w.batches[w.batches.length - 1];
              if (last && !open.has(w) && !(last as any).done) open.set(w, last);
            });
          let submitted = 0;
          for (const step of steps) {
            if (step === 'submit') submitted += submit() ? 1 : 0;
            if (step === 'tick') jest.advanceTimersByTime(maxWaitTime + 1);
            collect();
            const [w, batch] = [...open.entries()][0] ?? [];
            if ((step === 'finish' || step === 'fail') && w && batch) {
              open.delete(w);
              (batch as any).done = true;
              const statuses = batch.tasks.map(() => (step === 'fail' ? 500 : 200));
              engine.complete(stage, w, batch.id, statuses, echo(batch));
              flush();
              collect();
            }
          }
          // Drain: finish everything still running or queued.
          for (let guard = 0; guard < 1000 && engine.activeTasks > 0; guard++) {
            jest.advanceTimersByTime(maxWaitTime + 1);
            collect();
            for (const [w, batch] of [...open.entries()]) {
              open.delete(w);
              (batch as any).done = true;
              engine.complete(stage, w, batch.id, ok(batch), echo(batch));
              flush();
              collect();
            }
          }
          const sizes = pool.flatMap((w) => w.batches.map((b) => b.tasks.length));
          // A batching stage's batch stays within maxBatchSize; a stage that does not batch gets
          // several items per frame (forward still runs per item), bounded as tested below.
          const limit = maxBatchSize > 1 ? maxBatchSize : Infinity;
          expect(sizes.every((n) => n >= 1 && n <= limit)).toBe(true);
          expect(answers).toHaveLength(submitted);
          expect(new Set(answers.map((a) => a.id)).size).toBe(submitted);
          expect(engine.activeTasks).toBe(0);
          engine.close();
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('Engine', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('moves a result to the next stage and answers from the last one', () => {
    const engine = new Engine({ timeout: 1000, capacity: 10 });
    const first = engine.createStage('A', { maxBatchSize: 1, maxWaitTime: 0, timeout: 0 });
    const second = engine.createStage('B', { maxBatchSize: 1, maxWaitTime: 0, timeout: 0 });
    const [a, b] = [new FakeSlot('a'), new FakeSlot('b')];
    first.addWorker(a);
    flush();
    second.addWorker(b);
    flush();
    const answers: string[] = [];
    engine.submit({ path: '/', stages: [first, second] }, Buffer.from('in'), 0, (status, body) => answers.push(`${status} ${body}`));
    flush();
    engine.complete(first, a, a.batches[0].id, [200], [Buffer.from('mid')]);
    flush();
    expect(b.batches[0].tasks[0].payload.toString()).toBe('mid');
    engine.complete(second, b, b.batches[0].id, [200], [Buffer.from('out')]);
    flush();
    expect(answers).toEqual(['200 out']);
  });

  it('answers an error from any stage at once, with its status', () => {
    const engine = new Engine({ timeout: 1000, capacity: 10 });
    const first = engine.createStage('A', { maxBatchSize: 2, maxWaitTime: 0, timeout: 0 });
    const second = engine.createStage('B', { maxBatchSize: 1, maxWaitTime: 0, timeout: 0 });
    const a = new FakeSlot('a');
    const answers: string[] = [];
    const route = { path: '/', stages: [first, second] };
    engine.submit(route, Buffer.from('1'), 0, (s, body) => answers.push(`${s} ${body}`));
    flush();
    engine.submit(route, Buffer.from('2'), 0, (s, body) => answers.push(`${s} ${body}`));
    flush();
    first.addWorker(a);
    flush();
    engine.complete(first, a, a.batches[0].id, [422, 200], [Buffer.from('bad'), Buffer.from('fine')]);
    flush();
    expect(answers).toEqual(['422 bad']);
    // The item that succeeded goes on to the next stage.
    const b = new FakeSlot('b');
    second.addWorker(b);
    flush();
    expect(b.batches.map((batch) => batch.tasks.map((t) => t.payload.toString()))).toEqual([['fine']]);
  });

  it('refuses tasks beyond capacity and expires tasks at the service timeout', () => {
    const engine = new Engine({ timeout: 500, capacity: 2 });
    const stage = engine.createStage('A', { maxBatchSize: 1, maxWaitTime: 0, timeout: 0 });
    const answers: number[] = [];
    const route = { path: '/', stages: [stage] };
    expect(engine.submit(route, Buffer.alloc(0), 0, (s) => answers.push(s))).toBeDefined();
    expect(engine.submit(route, Buffer.alloc(0), 0, (s) => answers.push(s))).toBeDefined();
    expect(engine.submit(route, Buffer.alloc(0), 0, (s) => answers.push(s))).toBeUndefined();
    jest.advanceTimersByTime(501);
    expect(answers).toEqual([408, 408]);
    expect(engine.activeTasks).toBe(0);
    engine.close();
  });

  it('fails a whole batch with 500 when a worker reports the wrong number of results', () => {
    const onWrongBatchSize = jest.fn();
    const engine = new Engine({ timeout: 1000, capacity: 10 }, { onWrongBatchSize });
    const stage = engine.createStage('A', { maxBatchSize: 4, maxWaitTime: 0, timeout: 0 });
    const answers: number[] = [];
    const route = { path: '/', stages: [stage] };
    engine.submit(route, Buffer.alloc(0), 0, (s) => answers.push(s));
    flush();
    engine.submit(route, Buffer.alloc(0), 0, (s) => answers.push(s));
    flush();
    const w = new FakeSlot('w');
    stage.addWorker(w);
    flush();
    engine.complete(stage, w, w.batches[0].id, [200], [Buffer.alloc(0)]);
    flush();
    expect(answers).toEqual([500, 500]);
    expect(onWrongBatchSize).toHaveBeenCalledTimes(1);
  });

  it('runs the batch of a lost worker again, alone, and keeps its queue for the others', () => {
    const engine = new Engine({ timeout: 1000, capacity: 10 });
    const stage = engine.createStage('A', { maxBatchSize: 1, maxWaitTime: 0, timeout: 0 });
    const answers: number[] = [];
    const route = { path: '/', stages: [stage] };
    const w = new FakeSlot('w');
    stage.addWorker(w);
    flush();
    engine.submit(route, Buffer.alloc(0), 0, (s) => answers.push(s));
    flush();
    engine.submit(route, Buffer.alloc(0), 0, (s) => answers.push(s));
    flush();
    engine.workerLost(stage, w);
    expect(answers).toEqual([]);
    const next = new FakeSlot('next');
    stage.addWorker(next);
    flush();
    expect(next.batches.map((batch) => batch.tasks.length)).toEqual([1]);
  });
});

describe('StageRuntime for a stage that does not batch', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('sends a backlog to a single worker in one frame', () => {
    const { stage, submit } = setup({ maxBatchSize: 1, maxWaitTime: 10 });
    for (let i = 0; i < 9; i++) submit();
    const worker = new FakeSlot('w');
    stage.addWorker(worker);
    flush();
    expect(worker.batches.map((x) => x.tasks.length)).toEqual([9]);
  });

  it('shares a backlog evenly among the workers, so one freed later still finds its share', () => {
    const { engine, stage, submit } = setup({ maxBatchSize: 1, maxWaitTime: 10 });
    const [a, b] = [new FakeSlot('a'), new FakeSlot('b')];
    stage.addWorker(a);
    flush();
    stage.addWorker(b);
    flush();
    submit();
    submit(); // both busy now
    for (let i = 0; i < 6; i++) submit();
    engine.complete(stage, a, a.batches[0].id, [200], [Buffer.alloc(0)]);
    flush();
    expect(a.batches[1].tasks).toHaveLength(3);
    engine.complete(stage, b, b.batches[0].id, [200], [Buffer.alloc(0)]);
    flush();
    expect(b.batches[1].tasks).toHaveLength(2); // half of the 3 left, rounded up
  });

  it('sends a large backlog to a single worker in several frames of many items, not one frame of all', () => {
    const { engine, stage, submit, answers } = setup({ maxBatchSize: 1, maxWaitTime: 0 });
    for (let i = 0; i < 1000; i++) submit();
    const worker = new FakeSlot('w');
    stage.addWorker(worker);
    flush();
    for (let guard = 0; guard < 1000 && engine.activeTasks > 0; guard++) {
      const batch = worker.batches[worker.batches.length - 1];
      engine.complete(stage, worker, batch.id, ok(batch), echo(batch));
      flush();
    }
    const sizes = worker.batches.map((b) => b.tasks.length);
    expect(answers).toHaveLength(1000);
    expect(sizes.length).toBeGreaterThan(1); // one frame of 1000 would hold a high-priority task behind them all
    expect(sizes.length).toBeLessThan(100); // but few frames: a message per item is what limits a light stage
  });

  /** A stage that does not batch, one worker, and `finishAfter(ms)`: its last frame comes back `ms` after the clock's now. */
  function oneWorkerFrames() {
    const { engine, stage, submit } = setup({ maxBatchSize: 1, maxWaitTime: 0 });
    const worker = new FakeSlot('w');
    stage.addWorker(worker);
    flush();
    const finishAfter = (ms: number): number => {
      jest.advanceTimersByTime(ms);
      const batch = worker.batches[worker.batches.length - 1];
      engine.complete(stage, worker, batch.id, ok(batch), echo(batch));
      flush();
      return batch.tasks.length;
    };
    return { submit, worker, finishAfter };
  }

  it('sends a backlog in one frame though each frame takes long to come back (a busy machine), once a frame of two told delay from work', () => {
    const { submit, worker, finishAfter } = oneWorkerFrames();
    // Lone light items, each frame back 20 ms later: waiting to be scheduled, not work.
    for (let i = 0; i < 5; i++) {
      submit();
      finishAfter(20);
    }
    submit();
    for (let i = 0; i < 29; i++) submit();
    finishAfter(20);
    expect(worker.batches[worker.batches.length - 1].tasks).toHaveLength(2);
    finishAfter(20); // two items back as soon as one: the 20 ms were delay
    expect(worker.batches[worker.batches.length - 1].tasks).toHaveLength(27);
  });

  it('still sends items one by one when each one adds much to its frame\'s time', () => {
    const { submit, worker, finishAfter } = oneWorkerFrames();
    submit();
    for (let i = 0; i < 3; i++) submit();
    finishAfter(20); // 1 item: 20 ms, work or delay
    expect(worker.batches[1].tasks).toHaveLength(2); // not the whole backlog: a frame of two tells
    for (let i = 0; i < 5; i++) submit();
    finishAfter(40); // 2 items: 40 ms, so 20 ms each
    expect(worker.batches[2].tasks).toHaveLength(1);
  });

  it('measures again a light stage that one slow frame held to one item a frame', () => {
    const { submit, worker, finishAfter } = oneWorkerFrames();
    submit();
    submit();
    submit();
    finishAfter(10); // one item, 10 ms
    finishAfter(30); // two items, 30 ms: a delay, taken for 20 ms of work each
    for (let i = 0; i < 40; i++) submit();
    const sizes = Array.from({ length: 18 }, () => finishAfter(10));
    expect(sizes.slice(0, 16)).toEqual(Array(16).fill(1));
    expect(sizes[16]).toBe(2); // after 16 frames of one, a frame of two measures again
    expect(sizes[17]).toBeGreaterThan(10); // 10 ms for two: light after all, the rest go together
  });

  it('gives each item of a frame the stage timeout, counted from the progress the worker reports', () => {
    const { stage, submit, answers } = setup({ maxBatchSize: 1, maxWaitTime: 0, timeout: 100 });
    for (let i = 0; i < 3; i++) submit();
    const worker = new FakeSlot('w');
    stage.addWorker(worker);
    flush();
    const batchId = worker.batches[0].id;
    jest.advanceTimersByTime(90);
    stage.progress(worker, batchId, 1);
    jest.advanceTimersByTime(90);
    stage.progress(worker, batchId, 2);
    jest.advanceTimersByTime(90);
    expect(worker.killed).toBeUndefined();
    // The third item makes no progress: killed a timeout after the second was reported.
    jest.advanceTimersByTime(11);
    expect(worker.killed).toBeDefined();
    expect(answers.map((a) => a.status)).toEqual([408, 408, 408]);
  });

  it('finds a frozen worker within one timeout, however many items its frame holds', () => {
    const { stage, submit } = setup({ maxBatchSize: 1, maxWaitTime: 0, timeout: 100 });
    for (let i = 0; i < 60; i++) submit();
    const worker = new FakeSlot('w');
    stage.addWorker(worker);
    flush();
    expect(worker.batches[0].tasks.length).toBe(60);
    jest.advanceTimersByTime(101);
    expect(worker.killed).toBeDefined();
  });
});

describe('StageRuntime queues', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('drops answered tasks from the depth at once, and never sends them', () => {
    const { stage, submit, engine } = setup({ maxBatchSize: 4, maxWaitTime: 0, timeout: 0 });
    const tasks = Array.from({ length: 200 }, () => submit()!);
    expect(stage.queued).toBe(200);
    for (const task of tasks.slice(0, 150)) engine.finish(task, 408, 'inference timeout');
    expect(stage.queued).toBe(50);
    const worker = new FakeSlot('w');
    stage.addWorker(worker);
    flush();
    expect(worker.batches[0].tasks).toEqual(tasks.slice(150, 154));
  });

  it('sends a stage that does not batch at most 8 MiB of payloads in one frame (one larger item alone)', () => {
    const { stage, submit } = setup({ maxBatchSize: 1, maxWaitTime: 0, timeout: 0 });
    for (let i = 0; i < 6; i++) submit('x'.repeat(3 * 1024 * 1024));
    const worker = new FakeSlot('w');
    stage.addWorker(worker);
    flush();
    expect(worker.batches[0].tasks.length).toBe(2);
  });
});

describe('StageRuntime with a batch cost', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** Each payload's cost is its length in bytes. */
  const byLength = (payload: Buffer) => payload.length;

  it('closes a batch before its cost would pass maxBatchCost', () => {
    const { stage, submit } = setup({ maxBatchSize: 8, maxWaitTime: 0, ...{ maxBatchCost: 10, batchCost: byLength } } as any);
    for (const text of ['aaaa', 'bbbb', 'cccc', 'd']) submit(text);
    const worker = new FakeSlot('w');
    stage.addWorker(worker);
    flush();
    expect(worker.batches[0].tasks.map((t) => t.payload.toString())).toEqual(['aaaa', 'bbbb']);
  });

  it('sends an item costlier than the limit alone instead of never', () => {
    const { engine, stage, submit } = setup({ maxBatchSize: 8, maxWaitTime: 0, ...{ maxBatchCost: 3, batchCost: byLength } } as any);
    submit('huge-item');
    submit('a');
    const worker = new FakeSlot('w');
    stage.addWorker(worker);
    flush();
    const [first] = worker.batches;
    expect(first.tasks.map((t) => t.payload.toString())).toEqual(['huge-item']);
    engine.complete(stage, worker, first.id, ok(first), echo(first));
    flush();
    expect(worker.batches[1].tasks.map((t) => t.payload.toString())).toEqual(['a']);
  });

  it('stops waiting for more items once the queued cost reaches the limit', () => {
    const { stage, submit } = setup({ maxBatchSize: 32, maxWaitTime: 1000, ...{ maxBatchCost: 8, batchCost: byLength } } as any);
    const worker = new FakeSlot('w');
    stage.addWorker(worker);
    flush();
    submit('aaaa');
    expect(worker.batches).toHaveLength(0);
    submit('bbbb');
    expect(worker.batches.map((b) => b.tasks.length)).toEqual([2]);
  });
});

describe('StageRuntime sending the next batch ahead (long forwards)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /**
   * A stage of batches of 4 (a partial one waits 1 s) whose worker has run one batch in `forwardMs`
   * (20 unless told), so it knows its forward time.
   */
  function warmStage(timeout = 0, forwardMs = 20) {
    const harness = setup({ maxBatchSize: 4, maxWaitTime: 1000, timeout });
    const worker = new FakeSlot('w');
    harness.stage.addWorker(worker);
    flush();
    for (let i = 0; i < 4; i++) harness.submit();
    jest.advanceTimersByTime(forwardMs);
    harness.engine.complete(harness.stage, worker, worker.batches[0].id, ok(worker.batches[0]), echo(worker.batches[0]));
    flush();
    return { ...harness, worker };
  }

  it('sends a busy worker its next batch 2 ms before its forward should end, and runs it after', () => {
    const { stage, submit, worker, engine, answers } = warmStage();
    for (let i = 0; i < 8; i++) submit(); // the first 4 run from now, for about 20 ms
    expect(worker.batches).toHaveLength(2);
    jest.advanceTimersByTime(17);
    expect(worker.batches).toHaveLength(2);
    jest.advanceTimersByTime(1); // 18 ms: 2 ms before the end
    expect(worker.batches.map((b) => b.tasks.length)).toEqual([4, 4, 4]);
    expect(stage.runningBatch(worker)).toBe(worker.batches[1]);
    jest.advanceTimersByTime(2);
    engine.complete(stage, worker, worker.batches[1].id, ok(worker.batches[1]), echo(worker.batches[1]));
    expect(stage.runningBatch(worker)).toBe(worker.batches[2]);
    engine.complete(stage, worker, worker.batches[2].id, ok(worker.batches[2]), echo(worker.batches[2]));
    expect(answers).toHaveLength(12);
    expect(engine.activeTasks).toBe(0);
  });

  it('counts the stage timeout of a batch sent ahead from when it begins', () => {
    const { stage, submit, worker, engine, answers } = warmStage(30);
    for (let i = 0; i < 8; i++) submit();
    jest.advanceTimersByTime(18);
    expect(worker.batches).toHaveLength(3); // one running, one sent ahead
    jest.advanceTimersByTime(10); // 28 ms: the first is done in time
    engine.complete(stage, worker, worker.batches[1].id, ok(worker.batches[1]), echo(worker.batches[1]));
    jest.advanceTimersByTime(25); // the one sent ahead has run 25 ms of its 30, though sent 35 ms ago
    expect(worker.killed).toBeUndefined();
    jest.advanceTimersByTime(6);
    expect(worker.killed).toMatch(/longer than 30 ms/);
    expect(answers.filter((a) => a.status === 408)).toHaveLength(4);
  });

  it('gives a batch sent ahead to a worker that dies to another worker, unanswered, and then the batch it ran, item by item', () => {
    const { stage, submit, worker, engine, answers } = warmStage();
    for (let i = 0; i < 8; i++) submit();
    jest.advanceTimersByTime(18);
    const running = worker.batches[1];
    const ahead = worker.batches[2];
    engine.workerLost(stage, worker);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    const other = new FakeSlot('other');
    stage.addWorker(other);
    flush();
    expect(other.batches.map((b) => b.tasks.map((t) => t.id))).toEqual([ahead.tasks.map((t) => t.id)]);
    engine.complete(stage, other, other.batches[0].id, ok(other.batches[0]), echo(other.batches[0]));
    // The batch it was running comes again, one item a batch (one of them may be what killed it).
    for (let i = 1; i <= 4; i++) {
      flush();
      const batch = other.batches[i];
      expect(batch.tasks.map((t) => t.id)).toEqual([running.tasks[i - 1].id]);
      engine.complete(stage, other, batch.id, ok(batch), echo(batch));
    }
    expect(answers.filter((a) => a.status === 200)).toHaveLength(12);
  });

  it('sends nothing ahead for short forwards, nor to a worker that is leaving', () => {
    const short = warmStage(0, 2);
    const worker = short.worker;
    for (let i = 0; i < 8; i++) short.submit();
    jest.advanceTimersByTime(5);
    expect(worker.batches).toHaveLength(2);

    const { stage, submit, worker: leaving } = warmStage();
    for (let i = 0; i < 8; i++) submit();
    stage.retire(leaving);
    jest.advanceTimersByTime(19);
    expect(leaving.batches).toHaveLength(2);
  });
});

describe('StageRuntime with a worker later than its forward time', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('keeps items that arrive after the expected end for the batch the worker takes when it is free', () => {
    const { stage, submit, engine } = setup({ maxBatchSize: 4, maxWaitTime: 0 });
    const worker = new FakeSlot('w');
    stage.addWorker(worker);
    flush();
    submit();
    jest.advanceTimersByTime(20);
    engine.complete(stage, worker, worker.batches[0].id, ok(worker.batches[0]), echo(worker.batches[0])); // 20 ms a batch
    flush();
    submit(); // runs, late: still running 30 ms on
    jest.advanceTimersByTime(30);
    submit();
    jest.advanceTimersByTime(1);
    submit();
    expect(worker.batches).toHaveLength(2);
    engine.complete(stage, worker, worker.batches[1].id, ok(worker.batches[1]), echo(worker.batches[1]));
    flush();
    expect(worker.batches[2].tasks).toHaveLength(2);
  });
});
