import { Module } from '@nestjs/common';
import { MosecHttp } from './http/mosec-http.service';
import { MosecConfig } from './config/mosec-config';
import { mosecConfigProvider } from './config/mosec-config.provider';
import { MosecOpenApi } from './http/mosec-openapi.service';
import { ConfigurableModuleClass } from './mosec-module-definition';
import { MosecAdmin } from './gateway/mosec-admin.service';
import { PipelineGateway } from './gateway/pipeline-gateway';
import { MosecExplorer } from './plan/mosec-explorer.service';
import { MosecOrchestrator } from './service/mosec-orchestrator.service';

/**
 * Serves `@Pipeline` modules: `MosecModule.forRoot({ pipelines: [EchoPipeline], timeout: 5000 })`, or
 * `forRootAsync({ pipelines, imports, inject, useFactory })` (also `useClass`, `useExisting`;
 * `isGlobal`). The pipeline modules are not imported into the application: their stages are built
 * only in the worker processes, where the models belong; their routes and clients are the application's.
 */
@Module({
  providers: [
    mosecConfigProvider,
    MosecExplorer,
    MosecOrchestrator,
    // The transports reach the pipelines through the gateway only, never through the orchestrator.
    { provide: PipelineGateway, useFactory: (orchestrator: MosecOrchestrator) => orchestrator.gateway, inject: [MosecOrchestrator] },
    MosecHttp,
    MosecOpenApi,
    MosecAdmin,
  ],
  exports: [MosecConfig, MosecAdmin],
})
export class MosecModule extends ConfigurableModuleClass {}
