import { Module } from '@nestjs/common';
import { Pipeline } from '@mosec/nest';
import { Embed, Tokenize } from './embedding.stages';

/**
 * One input, one vector: POST `{ "text": "..." }` or `{ "ids": [101, ...] }`, get
 * `{ embedding, tokens, truncated }`. OpenAI's `POST /v1/embeddings` calls it once per input.
 */
@Pipeline('/embed', { stages: [Tokenize, Embed] })
@Module({ providers: [Tokenize, Embed] })
export class EmbeddingPipeline {}
