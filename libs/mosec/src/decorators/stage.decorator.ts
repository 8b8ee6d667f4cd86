import { Injectable } from '@nestjs/common';
import { STAGE_METADATA, StageOptions } from './metadata';

/**
 * Marks a class as a pipeline stage. It is also an `@Injectable()` provider: Nest builds it, with its
 * constructor dependencies, inside each of the stage's child processes (never in the HTTP process).
 */
export function Stage(options: StageOptions = {}): ClassDecorator {
  return (target) => {
    Injectable()(target);
    Reflect.defineMetadata(STAGE_METADATA, options, target);
  };
}
