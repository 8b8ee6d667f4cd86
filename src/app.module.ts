import { Module } from '@nestjs/common';
import { MosecModule } from '@mosec/nest';
import { ClassifyService, OcrService } from './service.pipelines';

/**
 * The default service: OCR at POST /ocr and the MLP classifier at POST /classify. OCR runs four CPU
 * models on a small machine: a request under load can take seconds, hence the longer timeout.
 */
@Module({ imports: [MosecModule.forRoot({ pipelines: [OcrService, ClassifyService], timeout: 20_000 })] })
export class AppModule {}
