import type { ExceptionFilter } from '@nestjs/common';
import type { ApplicationConfig } from '@nestjs/core';

/** Nest's metadata key for the exception types of `@Catch(...)` (`@nestjs/common` constants). */
const CATCHES = '__filterCatchExceptions__';

/**
 * The application's global exception filter (`APP_FILTER`, `app.useGlobalFilters()`) that takes
 * `error`, chosen as Nest chooses: the last one added first, the first whose `@Catch()` matches.
 * Undefined when the application has none for it. Read when the error happens, so filters added
 * in `main.ts` after the module was built count too.
 */
export function appFilterFor(config: ApplicationConfig, error: unknown): ExceptionFilter | undefined {
  return [...config.getGlobalFilters()].reverse().find((filter) => {
    const types: Array<abstract new (...args: never[]) => unknown> = Reflect.getMetadata(CATCHES, filter.constructor) ?? [];
    return types.length === 0 || types.some((type) => error instanceof type);
  });
}
