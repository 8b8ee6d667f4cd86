import { Module } from '@nestjs/common';
import { MosecModule } from '@mosec/nest';
import { embeddingsController } from './embedding.controller';
import { EmbeddingPipeline } from './embedding.pipeline';

/** The embedding service: OpenAI's `/v1/embeddings` and `/v1/models`, and mosec's own `/embed`. */
@Module({
  imports: [MosecModule.forRoot({ pipelines: [EmbeddingPipeline] })],
  controllers: [embeddingsController()],
})
export class AppModule {}
