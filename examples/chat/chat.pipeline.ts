import { Module } from '@nestjs/common';
import { Pipeline } from '@mosec/nest';
import { Generate } from './chat.stages';

/**
 * Token ids in, one event per token out: POST `{ "prompt": [ids], "maxTokens": 16, "temperature": 0 }`
 * to get `data: {"text": ...}` events, the last with its `finish_reason`. OpenAI's chat and text
 * completions call it with the prompt they rendered and tokenized.
 */
@Pipeline('/generate', { stages: [Generate] })
@Module({ providers: [Generate] })
export class ChatPipeline {}
