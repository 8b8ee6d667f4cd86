import { STAGE_METADATA } from '../mosec.constants';
import type { StageOptions } from './metadata';

/**
 * Marks a class as a pipeline stage. It is a Nest provider of its pipeline module: Nest builds it, with
 * its constructor dependencies, inside each of the stage's worker processes, never in the HTTP process.
 */
export function Stage(options: StageOptions = {}): ClassDecorator {
  return (target) => {
    Reflect.defineMetadata(STAGE_METADATA, options, target);
  };
}
