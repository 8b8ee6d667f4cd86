import { Module } from '@nestjs/common';
import { MosecModule } from '@mosec/nest';
import { RawPipeline, TypedPipeline } from './multi-route.pipeline';

@Module({ imports: [MosecModule.forRoot({ pipelines: [RawPipeline, TypedPipeline] })] })
export class AppModule {}
