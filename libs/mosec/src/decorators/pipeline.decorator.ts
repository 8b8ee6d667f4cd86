import { PIPELINE_FILE_METADATA, PIPELINE_METADATA } from '../mosec.constants';
import { callerFile } from './caller-file';
import type { PipelineMetadata, PipelineOptions } from './metadata';

/**
 * Marks a Nest module as a pipeline served at `path` (POST). The module provides its stages and what
 * they inject; each worker process builds its own stage from it. Other decorators on the class
 * (`@UseGuards`, `@UseInterceptors`, `@UseFilters`, `@SetMetadata`, `@ApiSecurity`...) apply to the
 * pipeline's route as they would on a controller.
 */
export function Pipeline(path: string, options: PipelineOptions): ClassDecorator {
  // The file workers load the module from.
  const file = callerFile(Pipeline);
  return (target) => {
    const metadata: PipelineMetadata = { path, ...options };
    Reflect.defineMetadata(PIPELINE_METADATA, metadata, target);
    if (file) Reflect.defineMetadata(PIPELINE_FILE_METADATA, file, target);
  };
}
