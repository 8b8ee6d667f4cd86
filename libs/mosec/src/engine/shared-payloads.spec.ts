import { Engine, SharedPayloadOwner } from './engine';
import { itemFlags, Route } from './task';
import { ItemFlags, SHARED_RESULT } from '../protocol/item-flags';
import { FakeSlot } from '../../../../test/support/fake-slot';

/** A store in memory that records what the engine asks of it. */
class FakeStore implements SharedPayloadOwner {
  readonly threshold = 10;
  readonly files = new Map<string, Buffer>();
  readonly live = new Set<string>();
  private written = 0;
  put(payload: Buffer): Buffer {
    const name = `h-${++this.written}`;
    this.files.set(name, payload);
    this.adopt(Buffer.from(name));
    return Buffer.from(name);
  }
  take(name: Buffer): Buffer {
    const bytes = this.files.get(name.toString())!;
    this.files.delete(name.toString());
    this.live.delete(name.toString());
    return bytes;
  }
  adopt(name: Buffer): void {
    this.live.add(name.toString());
  }
  taken(name: Buffer): void {
    this.live.delete(name.toString());
    this.files.delete(name.toString()); // a worker deletes what it reads
  }
  free(name: Buffer): void {
    this.live.delete(name.toString());
    this.files.delete(name.toString());
  }
  /** What a worker does with a result: stores it and returns its name. */
  store(name: string, bytes: string): Buffer {
    this.files.set(name, Buffer.from(bytes));
    return Buffer.from(name);
  }
}

function setup(timeout = 3000) {
  const shared = new FakeStore();
  const engine = new Engine({ timeout, capacity: 100, shared });
  const first = engine.createStage('first', { maxBatchSize: 1, maxWaitTime: 0, timeout: 0, readsShared: true });
  const second = engine.createStage('second', { maxBatchSize: 1, maxWaitTime: 0, timeout: 0, readsShared: true });
  const workers = [new FakeSlot(), new FakeSlot()];
  first.addWorker(workers[0]);
  second.addWorker(workers[1]);
  const route: Route = { path: '/x', stages: [first, second], sharedAnswers: true };
  const answers: Array<{ status: number; body: string }> = [];
  const submit = (body: string) => engine.submit(route, Buffer.from(body), 0, (status, answer) => answers.push({ status, body: answer.toString() }))!;
  return { engine, shared, first, second, workers, answers, submit };
}

const flush = () => jest.advanceTimersByTime(0);

describe('Engine with shared payloads', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('stores a large body, passes names between stages and reads the stored answer back, leaving nothing behind', () => {
    const { engine, shared, first, second, workers, answers, submit } = setup();
    submit('a large request body');
    flush();
    const [toFirst] = workers[0].batches;
    expect(itemFlags(toFirst.tasks[0]) & (ItemFlags.SHARED | ItemFlags.MAY_SHARE)).toBe(ItemFlags.SHARED | ItemFlags.MAY_SHARE);
    expect(shared.files.get(toFirst.tasks[0].payload.toString())?.toString()).toBe('a large request body');
    engine.complete(first, workers[0], toFirst.id, [200 | SHARED_RESULT], [shared.store('w1-1', 'its large result')]);
    flush();
    const [toSecond] = workers[1].batches;
    expect(toSecond.tasks[0].payload.toString()).toBe('w1-1');
    expect([...shared.live]).toEqual(['w1-1']);
    engine.complete(second, workers[1], toSecond.id, [200 | SHARED_RESULT], [shared.store('w2-1', 'the large answer')]);
    expect(answers).toEqual([{ status: 200, body: 'the large answer' }]);
    expect(shared.files.size).toBe(0);
    expect(shared.live.size).toBe(0);
  });

  it('keeps small bodies in the frames', () => {
    const { workers, submit } = setup();
    submit('small');
    flush();
    expect(workers[0].batches[0].tasks[0].payload.toString()).toBe('small');
  });

  it('deletes the payload of a task that times out in a queue, and a result that comes back after its task ended', () => {
    const { engine, shared, first, workers, answers, submit } = setup(100);
    submit('a large request body');
    flush();
    const [toFirst] = workers[0].batches;
    jest.advanceTimersByTime(150);
    expect(answers.map((answer) => answer.status)).toEqual([408]);
    engine.complete(first, workers[0], toFirst.id, [200 | SHARED_RESULT], [shared.store('w1-1', 'too late')]);
    expect(shared.files.size).toBe(0);
    expect(shared.live.size).toBe(0);
  });

  it('deletes what the tasks of a lost worker held', () => {
    const { engine, shared, first, second, workers, answers, submit } = setup();
    submit('a large request body');
    flush();
    engine.complete(first, workers[0], workers[0].batches[0].id, [200 | SHARED_RESULT], [shared.store('w1-1', 'result')]);
    flush();
    engine.workerLost(second, workers[1]);
    expect(answers.map((answer) => answer.status)).toEqual([500]);
    expect(shared.files.size).toBe(0);
  });
});
