import type { Type } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { PIPELINE_FILE_METADATA } from '../mosec.constants';
import { MESSAGES } from '../mosec.messages';

/**
 * The file a `@Pipeline` class is written in, which its workers load by themselves (compiled, or its
 * TypeScript source under a test runner). Refused when it is the main file: loading it would start
 * the whole service again in every worker (a bundled build puts every class there).
 */
export function pipelineFile(pipeline: Type<unknown>): string {
  const file: string | undefined = Reflect.getMetadata(PIPELINE_FILE_METADATA, pipeline);
  if (!file) throw new Error(MESSAGES.notAPipeline(pipeline.name));
  if (file === mainFile()) throw new Error(isBundle(file) ? MESSAGES.bundled(pipeline.name, file) : MESSAGES.mainFile(pipeline.name, file));
  return file;
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

/** Whether a file is a webpack or rspack bundle (read only to word the error). */
function isBundle(file: string): boolean {
  try {
    return /__webpack_require__|__webpack_modules__|__rspack/.test(readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
}
