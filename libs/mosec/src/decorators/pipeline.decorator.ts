import { callerFile } from './caller-file';
import { PIPELINE_FILE_METADATA, PIPELINE_METADATA, PipelineMetadata, PipelineOptions } from './metadata';

/**
 * Marks a Nest module as a pipeline served at `path` (POST). The module must provide its stages and
 * whatever they inject; each worker process builds an application context of this module.
 */
export function Pipeline(path: string, options: PipelineOptions): ClassDecorator {
  // Where the workers will load the module from, when it is an ES module.
  const file = callerFile(Pipeline);
  return (target) => {
    const metadata: PipelineMetadata = { path, ...options };
    Reflect.defineMetadata(PIPELINE_METADATA, metadata, target);
    if (file) Reflect.defineMetadata(PIPELINE_FILE_METADATA, file, target);
  };
}
