import { Module } from '@nestjs/common';
import { MosecModule } from '@mosec/nest';
import { EchoPipeline } from '../examples/echo/echo.pipeline';

/** The default service: the echo pipeline at POST /inference. */
@Module({ imports: [MosecModule.forRoot({ pipelines: [EchoPipeline] })] })
export class AppModule {}
