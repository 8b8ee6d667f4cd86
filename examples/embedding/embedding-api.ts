import { EmbeddingModel, OpenAIModule } from '@mosec/nest/openai';
import type { ModelDirectory } from '@mosec/nest/transformers';
import { DEFAULT_EMBEDDING_MODEL, DEFAULT_EMBEDDING_MODEL_ALIAS, embeddingModel } from './embedding-model';
import { EmbeddingPipeline } from './embedding.pipeline';

/** The model directory as OpenAI's embeddings API serves it, through `EmbeddingPipeline`. */
export function embeddingApiModel(model: ModelDirectory = embeddingModel()): EmbeddingModel {
  return {
    id: model.name,
    aliases: model.name === DEFAULT_EMBEDDING_MODEL ? [DEFAULT_EMBEDDING_MODEL_ALIAS] : [],
    pipeline: EmbeddingPipeline,
    dimensions: model.dimensions,
    vocabSize: model.vocabSize,
    maxTokens: model.maxTokens,
  };
}

/** OpenAI's `POST /v1/embeddings` and `GET /v1/models`, serving the model directory through `EmbeddingPipeline`. */
export function embeddingApi(model: ModelDirectory = embeddingModel()) {
  return OpenAIModule.forRoot({ embeddings: [embeddingApiModel(model)] });
}
