import { ANSWERS } from '../mosec.messages';
import { Engine } from './engine';
import type { Route } from './task';
import { FakeSlot } from '../../../../test/support/fake-slot';

/** Runs what the engine scheduled for the end of the event-loop turn (dispatches, quarantine answers). */
const flush = async () => {
  await Promise.resolve();
  jest.advanceTimersByTime(0);
};

function setup(quarantine = 60_000) {
  const onQuarantined = jest.fn();
  const engine = new Engine({ timeout: 10_000, capacity: 100, quarantine }, { onQuarantined });
  const stage = engine.createStage('S', { maxBatchSize: 8, maxWaitTime: 0, timeout: 0 });
  const route: Route = { path: '/x', stages: [stage] };
  const answers = new Map<string, { status: number; body: string }>();
  const submit = (text: string) =>
    engine.submit(route, Buffer.from(text), 0, (status, body) => answers.set(text, { status, body: body.toString() }));
  /** Answers 200 to every batch the worker holds, in order. */
  const succeed = (worker: FakeSlot) => {
    for (const batch of worker.batches.splice(0)) engine.complete(stage, worker, batch.id, batch.tasks.map(() => 200), batch.tasks.map((t) => t.payload));
  };
  return { engine, stage, answers, submit, succeed, onQuarantined };
}

describe('Engine after a worker dies', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs each task of the lost batch again in a batch of its own, and answers the innocent ones 200', async () => {
    const { engine, stage, answers, submit, succeed } = setup();
    const first = new FakeSlot('first');
    stage.addWorker(first);
    for (const text of ['a', 'poison', 'b']) submit(text);
    await flush();
    expect(first.batches.map((b) => b.tasks.length)).toEqual([3]);
    engine.workerLost(stage, first);
    expect(answers.size).toBe(0);
    const second = new FakeSlot('second');
    stage.addWorker(second);
    await flush();
    // One at a time: each retried task goes alone.
    const seen: number[] = [];
    while (second.batches.length > 0) {
      const [batch] = second.batches;
      seen.push(batch.tasks.length);
      if (batch.tasks[0].payload.toString() === 'poison') {
        second.batches.length = 0;
        break;
      }
      succeed(second);
      await flush();
    }
    expect(seen.every((size) => size === 1)).toBe(true);
    expect(answers.get('a')).toEqual({ status: 200, body: 'a' });
  });

  it('answers 500 a task that two workers died with, quarantines it, and refuses it at once when sent again', async () => {
    const { engine, stage, answers, submit, succeed, onQuarantined } = setup(30_000);
    let worker = new FakeSlot('w1');
    stage.addWorker(worker);
    submit('poison');
    await flush();
    engine.workerLost(stage, worker);
    worker = new FakeSlot('w2');
    stage.addWorker(worker);
    await flush();
    expect(worker.batches).toHaveLength(1);
    engine.workerLost(stage, worker);
    expect(answers.get('poison')).toEqual({ status: 500, body: ANSWERS.internal });
    expect(onQuarantined).toHaveBeenCalledWith(stage, 30_000);

    worker = new FakeSlot('w3');
    stage.addWorker(worker);
    answers.clear();
    submit('poison');
    submit('other');
    await flush();
    expect(answers.get('poison')).toEqual({ status: 500, body: ANSWERS.quarantined('S', 30_000) });
    // The refused request never reached a worker; another one did.
    expect(worker.batches.flatMap((b) => b.tasks.map((t) => t.payload.toString()))).toEqual(['other']);
    succeed(worker);
    expect(answers.get('other')?.status).toBe(200);

    // Let in again once the quarantine is over.
    jest.advanceTimersByTime(30_001);
    submit('poison');
    await flush();
    expect(worker.batches.flatMap((b) => b.tasks.map((t) => t.payload.toString()))).toEqual(['poison']);
  });

  it('answers the copies of a quarantined request that were already waiting, instead of running them', async () => {
    const { engine, stage, answers, submit } = setup();
    let worker = new FakeSlot('w1');
    stage.addWorker(worker);
    const first = submit('poison')!;
    const copy = engine.submit(first.route, Buffer.from('poison'), 0, (status, body) => answers.set('copy', { status, body: body.toString() }))!;
    await flush();
    expect(worker.batches[0].tasks).toEqual([first, copy]);
    engine.workerLost(stage, worker); // both run again, each alone
    worker = new FakeSlot('w2');
    stage.addWorker(worker);
    await flush();
    expect(worker.batches.map((b) => b.tasks)).toEqual([[first]]);
    engine.workerLost(stage, worker); // the first is quarantined
    worker = new FakeSlot('w3');
    stage.addWorker(worker);
    await flush();
    expect(worker.batches).toEqual([]);
    expect(answers.get('copy')).toEqual({ status: 500, body: ANSWERS.quarantined('S', 60_000) });
  });

  it('does not remember a task when quarantine is off, and never runs a task more than twice', async () => {
    const { engine, stage, answers, submit } = setup(0);
    for (let round = 0; round < 2; round++) {
      const worker = new FakeSlot(`w${round}`);
      stage.addWorker(worker);
      if (round === 0) submit('poison');
      await flush();
      expect(worker.batches).toHaveLength(1);
      engine.workerLost(stage, worker);
    }
    expect(answers.get('poison')?.status).toBe(500);
    const worker = new FakeSlot('w');
    stage.addWorker(worker);
    submit('poison');
    await flush();
    expect(worker.batches).toHaveLength(1);
  });

  it('answers 500 without a retry when the service is stopping', async () => {
    const { engine, stage, answers, submit } = setup();
    const worker = new FakeSlot('w');
    stage.addWorker(worker);
    submit('x');
    await flush();
    engine.workerLost(stage, worker, false);
    expect(answers.get('x')?.status).toBe(500);
  });
});
