import { Module } from '@nestjs/common';
import { MosecModule } from '@mosec/nest';
import { embeddingApi } from './embedding-api';
import { EmbeddingPipeline } from './embedding.pipeline';

/** The embedding service: OpenAI's `/v1/embeddings` and `/v1/models`, and mosec's own `/embed`. */
@Module({ imports: [MosecModule.forRoot({ pipelines: [EmbeddingPipeline] }), embeddingApi()] })
export class AppModule {}
