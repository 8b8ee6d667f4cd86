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
