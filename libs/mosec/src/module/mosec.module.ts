import { Module } from '@nestjs/common';
import { MosecHttp } from '../http/mosec-http';
import { MosecConfig } from './mosec-config';
import { mosecConfigProvider } from './mosec-config.provider';
import { MosecOpenApi } from './mosec-openapi';
import { ConfigurableModuleClass } from './mosec.module-definition';
import { MosecAdmin } from './mosec.admin';
import { MosecExplorer } from './mosec.explorer';
import { MosecOrchestrator } from './mosec.orchestrator';

/**
 * Serves `@Pipeline` modules: `MosecModule.forRoot({ pipelines: [EchoPipeline], timeout: 5000 })`, or
 * `forRootAsync({ pipelines, imports, inject, useFactory })` (also `useClass`, `useExisting`;
 * `isGlobal`). The pipeline modules are not imported into the application: their stages are built
 * only in the worker processes, where the models belong; their routes and clients are the application's.
 */
@Module({
  providers: [mosecConfigProvider, MosecExplorer, MosecOrchestrator, MosecHttp, MosecOpenApi, MosecAdmin],
  exports: [MosecConfig, MosecAdmin],
})
export class MosecModule extends ConfigurableModuleClass {}
