import { Module } from '@nestjs/common';
import { MosecModule } from '@mosec/nest';
import { OpenAIModule } from '@mosec/nest/openai';
import { chatApiModel } from '../examples/chat/chat-model';
import { ChatPipeline } from '../examples/chat/chat.pipeline';
import { embeddingApiModel } from '../examples/embedding/embedding-api';
import { EmbeddingPipeline } from '../examples/embedding/embedding.pipeline';
import { ClassifyService, OcrService } from './service.pipelines';

/**
 * The default service: OCR at POST /ocr, the MLP classifier at POST /classify, all-MiniLM-L6-v2
 * embeddings at OpenAI's POST /v1/embeddings and mosec's POST /embed, and SmolLM2-135M-Instruct at
 * OpenAI's POST /v1/chat/completions and /v1/completions and mosec's POST /generate (GET /v1/models
 * lists both models). OCR runs four CPU models on a small machine and a chat answer streams for
 * seconds: a request may take up to a minute.
 */
@Module({
  imports: [
    MosecModule.forRoot({ pipelines: [OcrService, ClassifyService, EmbeddingPipeline, ChatPipeline], timeout: 60_000 }),
    OpenAIModule.forRoot({ embeddings: [embeddingApiModel()], chat: [chatApiModel()] }),
  ],
})
export class AppModule {}
