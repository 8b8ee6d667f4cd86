import { Module } from '@nestjs/common';
import { MosecModule } from '@mosec/nest';
import { OpenAIModule } from '@mosec/nest/openai';
import { chatApiModel } from './chat-model';
import { ChatPipeline } from './chat.pipeline';

/**
 * The chat service: OpenAI's POST /v1/chat/completions, POST /v1/completions and GET /v1/models, and
 * mosec's POST /generate. A request may stream for a while: the timeout is two minutes.
 */
@Module({ imports: [MosecModule.forRoot({ pipelines: [ChatPipeline], timeout: 120_000 }), OpenAIModule.forRoot({ chat: [chatApiModel()] })] })
export class AppModule {}
