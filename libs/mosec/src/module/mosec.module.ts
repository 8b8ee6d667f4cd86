import { DynamicModule, Module, Provider } from '@nestjs/common';
import { MosecConfig } from './mosec-config';
import { MOSEC_OPTIONS, MosecAsyncOptions, MosecOptions } from './mosec-options';
import { MosecOpenApi } from './mosec-openapi';
import { MosecRuntime } from './mosec-runtime';

const shared: Provider[] = [
  { provide: MosecConfig, useFactory: (options: MosecOptions) => new MosecConfig(options), inject: [MOSEC_OPTIONS] },
  MosecRuntime,
  MosecOpenApi,
];

/**
 * Serves the given `@Pipeline` modules. The pipeline modules are not imported into the application:
 * their stages are built only in the worker processes, where the models belong.
 */
@Module({})
export class MosecModule {
  static forRoot(options: MosecOptions): DynamicModule {
    return {
      module: MosecModule,
      providers: [{ provide: MOSEC_OPTIONS, useValue: options }, ...shared],
      exports: [MosecConfig],
    };
  }

  static forRootAsync(options: MosecAsyncOptions): DynamicModule {
    return {
      module: MosecModule,
      imports: options.imports ?? [],
      providers: [{ provide: MOSEC_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] }, ...shared],
      exports: [MosecConfig],
    };
  }
}
