import { OpenAIModule } from '@mosec/nest/openai';
import type { ModelDirectory } from '@mosec/nest/transformers';
import { DEFAULT_EMBEDDING_MODEL, DEFAULT_EMBEDDING_MODEL_ALIAS, embeddingModel } from './embedding-model';
import { EmbeddingPipeline } from './embedding.pipeline';

/** OpenAI's `POST /v1/embeddings` and `GET /v1/models`, serving the model directory through `EmbeddingPipeline`. */
export function embeddingApi(model: ModelDirectory = embeddingModel()) {
  return OpenAIModule.forRoot({
    embeddings: [
      {
        id: model.name,
        aliases: model.name === DEFAULT_EMBEDDING_MODEL ? [DEFAULT_EMBEDDING_MODEL_ALIAS] : [],
        pipeline: EmbeddingPipeline,
        dimensions: model.dimensions,
        vocabSize: model.vocabSize,
        maxTokens: model.maxTokens,
      },
    ],
  });
}
