import type { DynamicModule, Provider, Type } from '@nestjs/common';
import { MOSEC_WORKER } from '../mosec.constants';
import type { WorkerIdentity } from '../interfaces';

/** Nest's metadata keys for what a class injects (`@nestjs/common` constants). */
const PARAMTYPES = 'design:paramtypes';
const SELF_DECLARED_DEPS = 'self:paramtypes';
const PROPERTY_DEPS = 'self:properties_metadata';

/**
 * The module a worker builds: the pipeline module's imports, and of its providers only the stage and
 * what the stage injects (directly or through other providers of the module), never the sibling
 * stages, whose models would otherwise load in every process. Worker identity is injectable as
 * `MOSEC_WORKER`. The module class carries the pipeline's name, so Nest's messages name it.
 */
export function stageModule(pipeline: Type<unknown>, stage: Type<unknown>, identity: WorkerIdentity): DynamicModule {
  const imports = Reflect.getMetadata('imports', pipeline) ?? [];
  const providers: Provider[] = Reflect.getMetadata('providers', pipeline) ?? [];
  const module = class {};
  Object.defineProperty(module, 'name', { value: pipeline.name });
  return {
    module,
    imports,
    providers: [...providersNeededBy(stage, providers), { provide: MOSEC_WORKER, useValue: identity }],
  };
}

/** Nest's metadata key for `@Injectable({ scope })`. */
const SCOPE_OPTIONS = 'scope:options';

/**
 * The stage built without Nest's injector when it injects nothing: no constructor parameter, no
 * injected property, no import in the pipeline's module, no scope of its own. Nest would only
 * construct it and call its init hooks, and a worker that leaves Nest's core unloaded is ~5 MiB
 * smaller. Undefined when the stage needs Nest.
 */
export async function standaloneStage(pipeline: Type<unknown>, stage: Type<unknown>): Promise<object | undefined> {
  const imports: unknown[] = Reflect.getMetadata('imports', pipeline) ?? [];
  const needed = providersNeededBy(stage, Reflect.getMetadata('providers', pipeline) ?? []);
  const alone = imports.length === 0 && needed.length === 1 && needed[0] === stage;
  if (!alone || classDependencies(stage).length > 0 || Reflect.hasMetadata(SCOPE_OPTIONS, stage)) return undefined;
  const instance = new stage() as { onModuleInit?(): unknown; onApplicationBootstrap?(): unknown };
  await instance.onModuleInit?.();
  await instance.onApplicationBootstrap?.();
  return instance;
}

/** The providers of `providers` that `root` needs, itself included, in their declared order. */
export function providersNeededBy(root: Type<unknown>, providers: Provider[]): Provider[] {
  const byToken = new Map<unknown, Provider>(providers.map((provider) => [tokenOf(provider), provider]));
  const needed = new Set<unknown>();
  const visit = (token: unknown) => {
    if (needed.has(token) || !byToken.has(token)) return; // not ours: an import provides it
    needed.add(token);
    for (const dependency of dependenciesOf(byToken.get(token)!)) visit(dependency);
  };
  visit(root);
  return providers.filter((provider) => needed.has(tokenOf(provider)));
}

function tokenOf(provider: Provider): unknown {
  return typeof provider === 'function' ? provider : provider.provide;
}

function dependenciesOf(provider: Provider): unknown[] {
  if (typeof provider === 'function') return classDependencies(provider);
  if ('useClass' in provider) return classDependencies(provider.useClass);
  if ('useExisting' in provider) return [unwrap(provider.useExisting)];
  if ('useFactory' in provider) {
    return (provider.inject ?? []).map((entry) => unwrap(isOptionalToken(entry) ? entry.token : entry));
  }
  return [];
}

/** Constructor parameters (as TypeScript emitted them, with `@Inject()` overrides) and `@Inject()` properties. */
function classDependencies(type: Type<unknown>): unknown[] {
  const parameters: unknown[] = [...(Reflect.getMetadata(PARAMTYPES, type) ?? [])];
  for (const { index, param } of Reflect.getMetadata(SELF_DECLARED_DEPS, type) ?? []) parameters[index] = param;
  const properties = (Reflect.getMetadata(PROPERTY_DEPS, type) ?? []).map((property: { type: unknown }) => property.type);
  return [...parameters, ...properties].map(unwrap);
}

function isOptionalToken(entry: unknown): entry is { token: unknown } {
  return typeof entry === 'object' && entry !== null && 'token' in entry;
}

/** `forwardRef(() => X)` to X. */
function unwrap(token: unknown): unknown {
  if (typeof token === 'object' && token !== null && 'forwardRef' in token) return (token as { forwardRef: () => unknown }).forwardRef();
  return token;
}
