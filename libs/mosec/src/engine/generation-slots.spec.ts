import { Engine } from './engine';
import type { Route } from './task';
import { FakeSlot } from '../../../../test/support/fake-slot';

function setup(maxBatchSize: number) {
  const engine = new Engine({ timeout: 3000, capacity: 1024 });
  const stage = engine.createStage('Generate', { timeout: 0, maxBatchSize, maxWaitTime: 50, generation: true });
  const route: Route = { path: '/generate', stages: [stage] };
  const answers: number[] = [];
  const submit = () => {
    const task = engine.submit(route, Buffer.from('p'), 0, (status) => answers.push(status))!;
    jest.advanceTimersByTime(0);
    return task;
  };
  const worker = new FakeSlot('Generate#1');
  stage.addWorker(worker);
  jest.advanceTimersByTime(0);
  return { engine, stage, answers, submit, worker };
}

describe('a generation stage (continuous batching)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('gives a busy worker each new task at once, up to maxBatchSize running, without waiting for a batch', () => {
    const { submit, worker, stage } = setup(3);
    submit();
    expect(worker.batches.map((batch) => batch.tasks.length)).toEqual([1]);
    submit();
    submit();
    submit();
    expect(worker.batches).toHaveLength(3);
    expect(stage.queued).toBe(1);
    expect([...stage.runningBatches()]).toHaveLength(3);
  });

  it('takes the next queued task when one sequence leaves, and routes its result by its batch', () => {
    const { engine, stage, answers, submit, worker } = setup(2);
    for (let i = 0; i < 3; i++) submit();
    expect(worker.batches).toHaveLength(2);
    engine.complete(stage, worker, worker.batches[1].id, [200], [Buffer.from('done')]);
    jest.advanceTimersByTime(0);
    expect(answers).toEqual([200]);
    expect(worker.batches).toHaveLength(3);
    expect(stage.queued).toBe(0);
  });

  it('sends a cancel for a running sequence whose client left, and frees its place only when the worker says it left', () => {
    const { engine, stage, submit, worker } = setup(1);
    const first = submit();
    submit();
    engine.finish(first, 499, 'gone');
    expect(worker.cancels).toEqual([[worker.batches[0].id, 0]]);
    jest.advanceTimersByTime(0);
    expect(worker.batches).toHaveLength(1);
    engine.complete(stage, worker, worker.batches[0].id, [499], [Buffer.from('cancelled')]);
    jest.advanceTimersByTime(0);
    expect(worker.batches).toHaveLength(2);
  });

  it('answers every running sequence of a worker that died', () => {
    const { engine, stage, answers, submit, worker } = setup(4);
    for (let i = 0; i < 3; i++) submit();
    for (const batch of worker.batches) engine.streamEvent(stage, worker, batch.id, 0, Buffer.from('token'));
    engine.workerLost(stage, worker);
    expect(answers).toEqual([500, 500, 500]);
  });
});
