import type { Type } from '@nestjs/common';
import { PIPELINE_FILE_METADATA } from '../decorators/metadata';

export interface ExportingFile {
  file: string;
  exportName: string;
}

/**
 * Finds the loaded file that exports `target` and the name it is exported under, so a worker process
 * can load the same module by itself, without running the application's main file. A CommonJS file is
 * found in `require.cache`; an ES module is the file `@Pipeline` was applied in, which workers load
 * with `require` (Node 20.19+ and 22.12+ load ES modules that way).
 */
export function findExportingFile(target: Type<unknown>): ExportingFile {
  const found = findInRequireCache(target) ?? findInDefiningFile(target);
  if (found) return found;
  throw new Error(`${target.name} is not exported by the file it is written in; export the @Pipeline module class from its file`);
}

function findInRequireCache(target: Type<unknown>): ExportingFile | undefined {
  for (const loaded of Object.values(require.cache)) {
    const exportName = loaded && exportNameOf(loaded.exports, target);
    if (!exportName) continue;
    // `process.mainModule`, not `require.main`: test runners give each test file a `require.main` of its own.
    if (loaded === process.mainModule) refuseMainFile(target, loaded.filename);
    return { file: loaded.filename, exportName };
  }
  return undefined;
}

function findInDefiningFile(target: Type<unknown>): ExportingFile | undefined {
  const file: string | undefined = Reflect.getMetadata(PIPELINE_FILE_METADATA, target);
  if (!file) return undefined;
  // Asked before loading it: an ES main file cannot be required from within its own import graph.
  if (file === mainFile()) refuseMainFile(target, file);
  // Already evaluated by the application's import: this returns the same module, it does not run it again.
  const exportName = exportNameOf(require(file), target);
  return exportName ? { file, exportName } : undefined;
}

function exportNameOf(exports: unknown, target: Type<unknown>): string | undefined {
  if (!exports || (typeof exports !== 'object' && typeof exports !== 'function')) return undefined;
  return Object.keys(exports).find((name) => (exports as Record<string, unknown>)[name] === target);
}

/** The file `node <main>` runs, resolved as Node resolves it (`node dist/main` runs dist/main.js). */
function mainFile(): string | undefined {
  const main = process.argv[1];
  if (!main) return undefined;
  try {
    return require.resolve(main);
  } catch {
    return main;
  }
}

function refuseMainFile(target: Type<unknown>, file: string): never {
  throw new Error(
    `${target.name} is exported by the main file ${file}: each worker loads the file that exports its ` +
      'pipeline module, and loading this one would start the whole service again in every worker. ' +
      'Move the @Pipeline module to a file of its own.',
  );
}
