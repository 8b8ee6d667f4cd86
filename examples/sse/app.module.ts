import { Module } from '@nestjs/common';
import { MosecModule } from '@mosec/nest';
import { SsePipeline } from './sse.pipeline';

@Module({ imports: [MosecModule.forRoot({ pipelines: [SsePipeline] })] })
export class AppModule {}
