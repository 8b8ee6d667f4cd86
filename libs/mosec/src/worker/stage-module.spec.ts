import 'reflect-metadata';
import { providersNeededBy, stageModule, standaloneStage } from './stage-module';

/** Any class decorator makes TypeScript emit `design:paramtypes`, which is what Nest reads. */
const Injectable = (): ClassDecorator => () => undefined;
/** What Nest's `@Inject(token)` records for constructor parameter `index`. */
function inject(target: Function, index: number, token: unknown): void {
  const declared = Reflect.getMetadata('self:paramtypes', target) ?? [];
  Reflect.defineMetadata('self:paramtypes', [...declared, { index, param: token }], target);
}

@Injectable()
class Tokenizer {}

@Injectable()
class ModelStore {
  constructor(readonly tokenizer: Tokenizer) {}
}

@Injectable()
class HeavyModelStage {
  constructor(readonly store: ModelStore) {}
}

@Injectable()
class Settings {}

@Injectable()
class LightStage {
  constructor(readonly settings: unknown, readonly config: unknown) {}
}
inject(LightStage, 0, 'SETTINGS');
inject(LightStage, 1, { forwardRef: () => Settings });

@Injectable()
class ImportedConfig {}

@Injectable()
class UsesImport {
  constructor(readonly config: ImportedConfig) {}
}

class Pipeline {}

const providers = [
  HeavyModelStage,
  LightStage,
  ModelStore,
  Tokenizer,
  Settings,
  UsesImport,
  { provide: 'SETTINGS', useFactory: (settings: Settings) => settings, inject: [{ token: Settings, optional: true }] },
  { provide: 'UNUSED', useValue: 1 },
];
Reflect.defineMetadata('providers', providers, Pipeline);
Reflect.defineMetadata('imports', ['ConfigModule'], Pipeline);

describe('a worker builds its own stage and what it needs, not the sibling stages', () => {
  it('takes the stage and the providers it injects, directly or through others', () => {
    expect(providersNeededBy(HeavyModelStage, providers)).toEqual([HeavyModelStage, ModelStore, Tokenizer]);
  });

  it('follows @Inject tokens, forwardRef, and a factory provider\'s inject list', () => {
    expect(providersNeededBy(LightStage, providers)).toEqual([LightStage, Settings, providers[6]]);
  });

  it('leaves what an imported module provides to the import', () => {
    expect(providersNeededBy(UsesImport, providers)).toEqual([UsesImport]);
  });

  it('keeps the imports, provides the worker identity, and names the module after the pipeline', () => {
    const module = stageModule(Pipeline, LightStage, { workerId: 2, stage: 'LightStage', maxBatchSize: 1 });
    expect(module.module.name).toBe('Pipeline');
    expect(module.imports).toEqual(['ConfigModule']);
    expect(module.providers).toContainEqual({ provide: 'MOSEC_WORKER', useValue: { workerId: 2, stage: 'LightStage', maxBatchSize: 1 } });
    expect(module.providers).not.toContain(HeavyModelStage);
    expect(module.providers).not.toContain(ModelStore);
  });
});

describe('a stage that injects nothing is built without Nest', () => {
  @Injectable()
  class Plain {
    readonly calls: string[] = [];
    async onModuleInit(): Promise<void> {
      this.calls.push('onModuleInit');
    }
    onApplicationBootstrap(): void {
      this.calls.push('onApplicationBootstrap');
    }
  }
  class Alone {}
  Reflect.defineMetadata('providers', [Plain, Tokenizer, ModelStore, HeavyModelStage], Alone);

  it('constructs it and calls its init hooks in Nest\'s order', async () => {
    const instance = (await standaloneStage(Alone, Plain)) as Plain;
    expect(instance).toBeInstanceOf(Plain);
    expect(instance.calls).toEqual(['onModuleInit', 'onApplicationBootstrap']);
  });

  it('leaves to Nest a stage that injects, has a scope, or whose module imports others', async () => {
    expect(await standaloneStage(Alone, HeavyModelStage)).toBeUndefined();
    expect(await standaloneStage(Pipeline, UsesImport)).toBeUndefined();
    @Injectable()
    class Transient {}
    Reflect.defineMetadata('scope:options', { scope: 2 }, Transient);
    const Scoped = class {};
    Reflect.defineMetadata('providers', [Transient], Scoped);
    expect(await standaloneStage(Scoped, Transient)).toBeUndefined();
  });

  it('leaves to Nest a stage provided through a factory or missing from the providers', async () => {
    const Factory = class {};
    Reflect.defineMetadata('providers', [{ provide: Plain, useFactory: () => new Plain() }], Factory);
    expect(await standaloneStage(Factory, Plain)).toBeUndefined();
    const Empty = class {};
    expect(await standaloneStage(Empty, Plain)).toBeUndefined();
  });
});
