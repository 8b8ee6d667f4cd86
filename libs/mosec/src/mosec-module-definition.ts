import { ConfigurableModuleBuilder } from '@nestjs/common';
import { MOSEC_OPTIONS as MOSEC_OPTIONS_TOKEN } from './mosec.constants';
import type { MosecExtras, MosecOptions } from './config/mosec-options';
import { withPipelines } from './pipeline-providers';

/**
 * `MosecModule.forRoot({ pipelines, ...options })` and `forRootAsync({ pipelines, useFactory | useClass |
 * useExisting, imports, inject })`. The pipelines are extras, known when the module is declared,
 * because each becomes a controller of the application.
 */
export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN: MOSEC_OPTIONS, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<MosecOptions>({ moduleName: 'Mosec', optionsInjectionToken: MOSEC_OPTIONS_TOKEN })
    .setClassMethodName('forRoot')
    .setFactoryMethodName('createMosecOptions')
    .setExtras<MosecExtras>({ pipelines: [], isGlobal: false, readinessPath: undefined, metricsPath: undefined, guardProbes: false, admin: false }, withPipelines)
    .build();
