import { Module } from '@nestjs/common';
import { MosecModule } from '@mosec/nest';
import { EnvPipeline } from './env.pipeline';

@Module({ imports: [MosecModule.forRoot({ pipelines: [EnvPipeline] })] })
export class AppModule {}
