import { Module } from '@nestjs/common';
import { MosecModule } from '@mosec/nest';
import { EchoPipeline } from './echo.pipeline';

@Module({ imports: [MosecModule.forRoot({ pipelines: [EchoPipeline] })] })
export class AppModule {}
