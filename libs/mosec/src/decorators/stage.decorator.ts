import { STAGE_METADATA, StageOptions } from './metadata';

/**
 * Marks a class as a pipeline stage. It is a Nest provider of its pipeline module: Nest builds it, with
 * its constructor dependencies (read from the metadata TypeScript emits for decorated classes), inside
 * each of the stage's worker processes, never in the HTTP process.
 */
export function Stage(options: StageOptions = {}): ClassDecorator {
  return (target) => {
    Reflect.defineMetadata(STAGE_METADATA, options, target);
  };
}
