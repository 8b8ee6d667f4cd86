import { Inject, Type } from '@nestjs/common';

/** The injection token of a pipeline's `PipelineClient`. */
export function getPipelineToken(pipeline: Type<unknown>): string {
  return `MosecPipeline_${pipeline.name}`;
}

/**
 * Injects the `PipelineClient` of a pipeline served by `MosecModule.forRoot({ pipelines })`:
 * `constructor(@InjectPipeline(EchoPipeline) private readonly echo: PipelineClient) {}`.
 */
export function InjectPipeline(pipeline: Type<unknown>): PropertyDecorator & ParameterDecorator {
  return Inject(getPipelineToken(pipeline));
}
