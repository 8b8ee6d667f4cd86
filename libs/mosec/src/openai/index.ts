// OpenAI's API over mosec pipelines: a subpath of its own (it loads class-validator; @nestjs/swagger when installed).
export { OpenAIModule, TRUNCATED_HEADER } from './openai.controller';
export type { EmbeddingModel, OpenAIControllerOptions } from './openai.controller';
export type { ChatModel } from './completions.controller';
export { readCompletionRequest } from './completion-request';
export type { CompletionRequest } from './completion-request';
export { OpenAIError, invalidRequest, openAIErrorBody } from './openai-error';
export type { OpenAIErrorBody } from './openai-error';
export { OpenAIErrorFilter } from './openai-error.filter';
export { CreateEmbeddingRequest, CreateEmbeddingResponse, Embedding, EmbeddingUsage, ModelCard, ModelList } from './embeddings.dto';
export { embeddingInputProblem, embeddingItems, tokenIdsProblem, MAX_EMBEDDING_INPUTS } from './embedding-input';
export type { EmbeddingItem, EmbeddingResult } from './embedding-input';
export { vectorToBase64, vectorFromBase64 } from './base64-vectors';
