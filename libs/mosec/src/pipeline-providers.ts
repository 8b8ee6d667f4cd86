import type { DynamicModule, Provider } from '@nestjs/common';
import { PipelineClient } from './client/pipeline-client';
import { getPipelineToken } from './decorators/inject-pipeline.decorator';
import { adminController } from './http/admin.controller';
import { pipelineController, probesController } from './http/pipeline.controller';
import { DEFAULTS, MOSEC_EXTRAS } from './mosec.constants';
import type { MosecExtras } from './config/mosec-options';
import { PipelineGateway } from './gateway/pipeline-gateway';

/**
 * What the served pipelines add to `MosecModule`: a controller each (their routes), a
 * `PipelineClient` each (`@InjectPipeline`), exported; with `guardProbes`, the probes controller;
 * with `admin`, the admin controller.
 */
export function withPipelines(definition: DynamicModule, extras: MosecExtras): DynamicModule {
  const pipelines = extras.pipelines ?? [];
  const clients: Provider[] = pipelines.map((pipeline) => ({
    provide: getPipelineToken(pipeline),
    useFactory: (gateway: PipelineGateway) => new PipelineClient(gateway, gateway.route(pipeline)),
    inject: [PipelineGateway],
  }));
  const controllers = pipelines.map(pipelineController);
  if (extras.guardProbes) {
    controllers.push(probesController(extras.readinessPath ?? DEFAULTS.readinessPath, extras.metricsPath ?? DEFAULTS.metricsPath));
  }
  if (extras.admin) controllers.push(adminController((typeof extras.admin === 'object' && extras.admin.path) || DEFAULTS.adminPath));
  return {
    ...definition,
    global: extras.isGlobal,
    controllers,
    providers: [...(definition.providers ?? []), { provide: MOSEC_EXTRAS, useValue: extras }, ...clients],
    exports: [...(definition.exports ?? []), ...pipelines.map(getPipelineToken)],
  };
}
