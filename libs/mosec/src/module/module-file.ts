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
      if (exports[name] !== target) continue;
      // `process.mainModule`, not `require.main`: test runners give each test file a `require.main` of its own.
      if (loaded === process.mainModule) {
        throw new Error(
          `${target.name} is exported by the main file ${loaded!.filename}: each worker loads the file that exports its ` +
            'pipeline module, and loading this one would start the whole service again in every worker. ' +
            'Move the @Pipeline module to a file of its own.',
        );
      }
      return { file: loaded!.filename, exportName: name };
    }
  }
  throw new Error(
    `${target.name} is not exported by any loaded CommonJS file; export the @Pipeline module class from its file`,
  );
}
