import { Module } from '@nestjs/common';
import { MosecModule } from '@mosec/nest';
import { OcrPipeline } from './ocr.pipeline';

// Four CPU models share two cores: a request under load takes seconds, not the default 3 s budget.
@Module({ imports: [MosecModule.forRoot({ pipelines: [OcrPipeline], timeout: 20_000 })] })
export class AppModule {}
