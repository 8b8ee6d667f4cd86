import type { Type } from '@nestjs/common';

/**
 * Finds the loaded file that exports `target` and the name it is exported under, so a worker process
 * can load the same module by itself, without running the application's main file.
 */
export function findExportingFile(target: Type<unknown>): { file: string; exportName: string } {
  for (const loaded of Object.values(require.cache)) {
    const exports = loaded?.exports;
    if (!exports || (typeof exports !== 'object' && typeof exports !== 'function')) continue;
    for (const name of Object.keys(exports)) {
      if (exports[name] === target) return { file: loaded!.filename, exportName: name };
    }
  }
  throw new Error(
    `${target.name} is not exported by any loaded CommonJS file; export the @Pipeline module class from its file`,
  );
}
