import { PIPELINE_METADATA, PipelineMetadata, PipelineOptions } from './metadata';

/**
 * Marks a Nest module as a pipeline served at `path` (POST). The module must provide its stages and
 * whatever they inject; each worker process builds an application context of this module.
 */
export function Pipeline(path: string, options: PipelineOptions): ClassDecorator {
  return (target) => {
    const metadata: PipelineMetadata = { path, ...options };
    Reflect.defineMetadata(PIPELINE_METADATA, metadata, target);
  };
}
