import { Inject, Injectable, Logger } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { MESSAGES } from '../mosec.messages';
import { MosecConfig } from '../config/mosec-config';
import { PipelinePlan, planPipelines } from './pipeline-plan';

/**
 * Reads the `@Pipeline` and `@Stage` metadata of the served pipelines into plans (no instances: stages
 * are built in their workers only), and refuses an application that imports a pipeline module, which
 * would build the stages, and load their models, in the HTTP process as well.
 */
@Injectable()
export class MosecExplorer {
  readonly plans: PipelinePlan[];

  constructor(config: MosecConfig, @Inject(ModulesContainer) modules: ModulesContainer) {
    const logger = new Logger('Mosec');
    this.plans = planPipelines(config.pipelines, (message) => logger.warn(message), config.wait);
    refuseImportedPipelines(config, modules);
  }
}

function refuseImportedPipelines(config: MosecConfig, modules: ModulesContainer): void {
  for (const module of modules.values()) {
    if (!config.pipelines.includes(module.metatype)) continue;
    const importer = [...modules.values()].find((other) => other.imports.has(module));
    throw new Error(MESSAGES.pipelineImported(module.metatype.name, importer?.metatype.name ?? 'the application'));
  }
}
