import { Engine } from './engine';
import { decodeStreamEvent, encodeStreamEvent } from '../protocol/stream-frame';
import { FrameKind, FrameReader } from '../protocol/frame';
import { FakeSlot } from '../../../../test/support/fake-slot';

describe('stream events', () => {
  it('round-trip through a STREAM frame', () => {
    const frames: Array<{ kind: number; body: Buffer }> = [];
    new FrameReader((kind, body) => frames.push({ kind, body })).push(encodeStreamEvent(7, 3, 'héllo'));
    expect(frames[0].kind).toBe(FrameKind.STREAM);
    const { batchId, index, data } = decodeStreamEvent(frames[0].body);
    expect({ batchId, index, text: data.toString() }).toEqual({ batchId: 7, index: 3, text: 'héllo' });
  });

  it('reach the task at their index while its batch runs, and no task once its batch is done', async () => {
    const engine = new Engine({ timeout: 3000, capacity: 10 });
    const stage = engine.createStage('S', { maxBatchSize: 2, maxWaitTime: 0, timeout: 0 });
    const worker = new FakeSlot();
    stage.addWorker(worker);
    const events: string[] = [];
    const route = { path: '/x', stages: [stage] };
    for (const name of ['a', 'b']) {
      engine.submit(route, Buffer.alloc(0), 0, () => events.push(`${name} done`), { onEvent: (data) => events.push(`${name}: ${data}`) });
    }
    await new Promise((resolve) => setImmediate(resolve)); // the stage dispatches at the end of the turn
    const [batch] = worker.batches;
    expect(batch.tasks).toHaveLength(2);
    engine.streamEvent(stage, worker, batch.id, 1, Buffer.from('to b'));
    engine.streamEvent(stage, worker, batch.id, 0, Buffer.from('to a'));
    engine.streamEvent(stage, worker, batch.id + 1, 0, Buffer.from('another batch'));
    engine.complete(stage, worker, batch.id, [200, 200], [Buffer.alloc(0), Buffer.alloc(0)]);
    engine.streamEvent(stage, worker, batch.id, 0, Buffer.from('late'));
    expect(events).toEqual(['b: to b', 'a: to a', 'a done', 'b done']);
    engine.close();
  });
});
