import 'reflect-metadata';
import { Pipeline } from '../decorators/pipeline.decorator';
import { Stage } from '../decorators/stage.decorator';
import { StreamWorker } from '../worker/stream-worker';
import { planPipelines } from './pipeline-plan';

/** What Nest's @Module records of its providers (the plan reads only that). */
function Module({ providers }: { providers: unknown[] }): ClassDecorator {
  return (target) => Reflect.defineMetadata('providers', providers, target);
}

@Stage({ num: 2, maxBatchSize: 8 })
export class Shared {}

@Stage({ headers: ['X-Trace-Id'] })
export class Alone {}

export class NotAStage {}

@Pipeline('/a', { stages: [Alone, Shared] })
@Module({ providers: [Alone, Shared] })
export class APipeline {}

@Pipeline('/b/', { stages: [Shared] })
@Module({ providers: [Shared] })
export class BPipeline {}

@Pipeline('/x', { stages: [Alone] })
@Module({ providers: [] })
export class MissingProvider {}

@Pipeline('/y', { stages: [NotAStage] })
@Module({ providers: [NotAStage] })
export class Undecorated {}

export class NoPipeline {}

describe('planPipelines', () => {
  it('reads stages and shares one plan for a stage class used by two pipelines', () => {
    const [a, b] = planPipelines([APipeline, BPipeline]);
    expect(a.path).toBe('/a');
    expect(b.path).toBe('/b');
    expect(a.stages.map((s) => s.name)).toEqual(['Alone', 'Shared']);
    expect(b.stages[0]).toBe(a.stages[1]);
    expect(a.stages[1]).toMatchObject({ num: 2, maxBatchSize: 8, maxWaitTime: 0, adaptiveWait: true, pipelineName: 'APipeline', pipelinePath: '/a', stageIndex: 1 });
    expect(a.stages[1].pipelineFile).toBe(__filename);
  });

  it('gives the stages that set no maxWaitTime the service-wide wait (--wait), and the others their own', () => {
    @Stage({ maxBatchSize: 4, maxWaitTime: 3 })
    class OwnWait {}
    @Pipeline('/w', { stages: [Shared, OwnWait] })
    @Module({ providers: [Shared, OwnWait] })
    class WaitPipeline {}
    const [plan] = planPipelines([WaitPipeline], undefined, 25);
    expect(plan.stages.map((stage) => stage.maxWaitTime)).toEqual([25, 3]);
    const [adaptive] = planPipelines([WaitPipeline]);
    expect(adaptive.stages.map((stage) => stage.adaptiveWait)).toEqual([true, false]);
  });

  it('keeps the headers a stage asks for, in lower case, and what each route must keep of a request', () => {
    const [a, b] = planPipelines([APipeline, BPipeline]);
    expect(a.stages[0].headers).toEqual(['x-trace-id']);
    expect(a.stages[1].headers).toBeUndefined();
    expect(a.headers).toEqual(['x-trace-id']);
    expect(b.headers).toEqual([]);
  });

  it.each([
    [MissingProvider, /must list Alone in its @Module providers/],
    [Undecorated, /NotAStage is listed as a stage but is not decorated with @Stage/],
    [NoPipeline, /NoPipeline is not decorated with @Pipeline/],
  ])('refuses %p at startup with a clear error', (module, message) => {
    expect(() => planPipelines([module])).toThrow(message);
  });

  it('refuses two pipelines on one path', () => {
    expect(() => planPipelines([APipeline, APipeline])).toThrow(/two pipelines are served at \/a/);
  });
});

describe('planPipelines with a batch cost', () => {
  @Stage({ maxBatchSize: 8, maxBatchCost: 100 })
  class Tokens {
    static batchCost(item: { tokens: number[] }): number {
      return item.tokens.length;
    }
  }

  @Stage({ maxBatchSize: 8, maxBatchCost: 100 })
  class NoCostMethod {}

  it("reads the stage's static batchCost and applies it to the decoded item", () => {
    @Pipeline('/tokens', { stages: [Tokens] })
    @Module({ providers: [Tokens] })
    class TokensPipeline {}
    (module as any).exports.TokensPipeline = TokensPipeline;
    const [plan] = planPipelines([TokensPipeline]);
    expect(plan.stages[0].maxBatchCost).toBe(100);
    // The first stage weighs the request body as JSON decodes it.
    expect(plan.stages[0].batchCost!(Buffer.from('{"tokens":[1,2,3]}'), 1)).toBe(3);
  });

  it('refuses maxBatchCost without a static batchCost', () => {
    @Pipeline('/nocost', { stages: [NoCostMethod] })
    @Module({ providers: [NoCostMethod] })
    class NoCostPipeline {}
    (module as any).exports.NoCostPipeline = NoCostPipeline;
    expect(() => planPipelines([NoCostPipeline])).toThrow(/maxBatchCost needs a static batchCost/);
  });
});

class OrderDto {}
class TotalDto {}

@Stage()
export class Streams extends StreamWorker<string> {
  forward(): void {}
}

@Pipeline('/stream', { stages: [Alone, Streams], request: OrderDto, response: TotalDto, forbidUnknown: true })
@Module({ providers: [Alone, Streams] })
export class StreamPipeline {}

describe('planPipelines for the HTTP surface', () => {
  it('keeps the DTOs and forbidUnknown, and marks a route whose last stage is a StreamWorker as streaming', () => {
    const [streaming, plain] = planPipelines([StreamPipeline, BPipeline]);
    expect(streaming).toMatchObject({ request: OrderDto, response: TotalDto, forbidUnknown: true, stream: true });
    expect(plain).toMatchObject({ request: undefined, stream: false });
  });

  it("keeps the route's codec, JSON unless the pipeline says msgpack", () => {
    @Pipeline('/packed', { stages: [Alone], codec: 'msgpack' })
    @Module({ providers: [Alone] })
    class PackedPipeline {}
    const [packed, plain] = planPipelines([PackedPipeline, BPipeline]);
    expect(packed.codec).toBe('msgpack');
    expect(plain.codec).toBe('json');
  });

  it('refuses a codec other than json or msgpack, naming the pipeline', () => {
    @Pipeline('/cbor', { stages: [Alone], codec: 'cbor' as 'json' })
    @Module({ providers: [Alone] })
    class CborPipeline {}
    expect(() => planPipelines([CborPipeline])).toThrow(`@Pipeline('/cbor') on CborPipeline: codec must be 'json' or 'msgpack', not "cbor"`);
  });
});

describe('planPipelines with a stage timeout that looks like seconds', () => {
  @Stage({ timeout: 10 })
  class TenSeconds {}

  @Stage({ timeout: 100 })
  class TenthOfASecond {}

  @Pipeline('/ten', { stages: [TenSeconds, TenthOfASecond] })
  @Module({ providers: [TenSeconds, TenthOfASecond] })
  class TimeoutPipeline {}

  @Pipeline('/ten-again', { stages: [TenSeconds] })
  @Module({ providers: [TenSeconds] })
  class SecondTimeoutPipeline {}

  (module as any).exports.TimeoutPipeline = TimeoutPipeline;
  (module as any).exports.SecondTimeoutPipeline = SecondTimeoutPipeline;

  it('warns once for that stage, naming it and the value in ms, and keeps the timeout as given', () => {
    const warnings: string[] = [];
    const [plan] = planPipelines([TimeoutPipeline, SecondTimeoutPipeline], (message) => warnings.push(message));
    expect(warnings).toEqual([
      '@Stage TenSeconds: timeout 10 is in milliseconds, so a forward longer than 10 ms kills its worker; for 10 seconds write timeout: 10000',
    ]);
    expect(plan.stages[0].timeout).toBe(10);
  });

  it('says nothing of a stage without a timeout', () => {
    const warnings: string[] = [];
    planPipelines([APipeline], (message) => warnings.push(message));
    expect(warnings).toEqual([]);
  });
});
