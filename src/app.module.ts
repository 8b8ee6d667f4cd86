import { Module } from '@nestjs/common';
import { MosecModule } from '@mosec/nest';
import { embeddingApi } from '../examples/embedding/embedding-api';
import { EmbeddingPipeline } from '../examples/embedding/embedding.pipeline';
import { ClassifyService, OcrService } from './service.pipelines';

/**
 * The default service: OCR at POST /ocr, the MLP classifier at POST /classify, and all-MiniLM-L6-v2
 * embeddings at OpenAI's POST /v1/embeddings (GET /v1/models) and mosec's POST /embed. OCR runs four
 * CPU models on a small machine: a request under load can take seconds, hence the longer timeout.
 */
@Module({
  imports: [MosecModule.forRoot({ pipelines: [OcrService, ClassifyService, EmbeddingPipeline], timeout: 20_000 }), embeddingApi()],
})
export class AppModule {}
