import { Module } from '@nestjs/common';
import { MosecModule } from '@mosec/nest';
import { MlpPipeline } from './mlp.pipeline';

@Module({ imports: [MosecModule.forRoot({ pipelines: [MlpPipeline] })] })
export class AppModule {}
