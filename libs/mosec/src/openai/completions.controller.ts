import type { ServerResponse } from 'node:http';
import { Body, Controller, HttpCode, Post, Res, Type } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { PipelineClients } from './pipeline-clients';
import { PipelineError } from '../pipeline-error';
import { ChatTokenizer } from '../transformers/chat-tokenizer';
import { readCausalConfig } from '../transformers/causal-lm';
import type { ModelDirectory } from '../transformers/model-directory';
import type { GenerationRequest, TokenEvent } from '../transformers/text-generation';
import { swaggerDecorator } from './api-property';
import { CompletionRequest, contextExceeded, readCompletionRequest } from './completion-request';
import { CompletionWriter, FinishReason, Reply, usageOf } from './completion-writer';
import { byModelName } from './model-names';
import { invalidRequest, OpenAIError, openAIErrorBody } from './openai-error';

/** A text generation model served under OpenAI's API, by a pipeline whose last stage is a `TextGenerationWorker`. */
export interface ChatModel {
  /** The name clients send as `model` and `GET /v1/models` lists. */
  id: string;
  aliases?: string[];
  /** The pipeline (served by `MosecModule` in the same application); it takes a `GenerationRequest`. */
  pipeline: Type<unknown>;
  /** Its directory: the tokenizer and chat template render and count prompts in the HTTP process. */
  model: Pick<ModelDirectory, 'dir' | 'tokenizerPath'>;
  /** Tokens of prompt and answer together. Default: `config.json`'s `max_position_embeddings`. */
  contextLength?: number;
  /** The answer's length when the request sets no `max_tokens`: this, or what is left of the context. Default 1024. */
  defaultMaxTokens?: number;
  ownedBy?: string;
}

interface Served {
  readonly model: ChatModel;
  readonly tokenizer: ChatTokenizer;
  readonly contextLength: number;
  readonly vocabSize: number;
}

const DEFAULT_MAX_TOKENS = 1024;

/** `POST {path}/chat/completions` and `POST {path}/completions` over the models' pipelines, streaming or not. */
export function completionsController(models: ChatModel[], path: string, clientGone: (reply: Reply) => AbortSignal): Type<unknown> {
  const served = byModelName(models, (model): Served => {
    const config = readCausalConfig(model.model.dir);
    return { model, tokenizer: ChatTokenizer.load(model.model), contextLength: model.contextLength ?? config.contextLength, vocabSize: config.vocabSize };
  });

  @Controller(path)
  @swaggerDecorator('ApiTags', 'OpenAI')
  class CompletionsController {
    private readonly clients: PipelineClients<GenerationRequest, void>;

    constructor(moduleRef: ModuleRef) {
      this.clients = new PipelineClients(moduleRef);
    }

    @Post('chat/completions')
    @HttpCode(200)
    @swaggerDecorator('ApiOperation', { summary: "Answers a chat (OpenAI's API); `stream: true` sends chat.completion.chunk events" })
    chat(@Body() body: unknown, @Res() reply: Reply): Promise<void> {
      return this.complete(readCompletionRequest(body, true), reply, true);
    }

    @Post('completions')
    @HttpCode(200)
    @swaggerDecorator('ApiOperation', { summary: "Continues a prompt (OpenAI's legacy completions API)" })
    completions(@Body() body: unknown, @Res() reply: Reply): Promise<void> {
      return this.complete(readCompletionRequest(body, false), reply, false);
    }

    private async complete(request: CompletionRequest, reply: Reply, chat: boolean): Promise<void> {
      const entry = served.get(request.model);
      if (!entry) throw new OpenAIError(400, `The model '${request.model}' does not exist`, { param: 'model', code: 'model_not_found' });
      const prompt = promptIds(entry, request, chat);
      if (Object.keys(request.logitBias ?? {}).some((id) => Number(id) >= entry.vocabSize)) {
        throw invalidRequest(`logit_bias token ids must be below ${entry.vocabSize}`, 'logit_bias');
      }
      const { contextLength } = entry;
      if (prompt.length >= contextLength) throw contextExceeded(contextLength, prompt.length, request.maxTokens, chat ? 'messages' : 'prompt');
      if (request.maxTokens !== undefined && prompt.length + request.maxTokens > contextLength) {
        throw contextExceeded(contextLength, prompt.length, request.maxTokens, 'max_tokens');
      }
      const maxTokens = request.maxTokens ?? Math.min(entry.model.defaultMaxTokens ?? DEFAULT_MAX_TOKENS, contextLength - prompt.length);
      const generation: GenerationRequest = { prompt, maxTokens, temperature: request.temperature, topP: request.topP, seed: request.seed, stop: request.stop, ignoreEos: request.ignoreEos, logitBias: request.logitBias };
      const writer = new CompletionWriter(chat, entry.model.id);
      const events = this.clients.of(entry.model.pipeline).stream(generation, { signal: clientGone(reply) });
      let text = '';
      let tokens = 0;
      let finish: FinishReason = 'length';
      try {
        // The first token before anything is written: a refusal (queue full, not ready) is an HTTP error.
        let next = await events.next();
        if (request.stream) writer.open(reply);
        for (; !next.done; next = await events.next()) {
          const event = JSON.parse(next.value) as TokenEvent;
          tokens++;
          if (event.finish_reason) finish = event.finish_reason;
          if (request.stream) writer.text(event.text);
          else text += event.text;
        }
      } catch (error) {
        if (!request.stream || !writer.opened) throw error;
        return writer.fail(streamError(error));
      } finally {
        await events.return(undefined);
      }
      const usage = usageOf(prompt.length, tokens);
      if (request.stream) return writer.finish(finish, request.includeUsage ? usage : undefined);
      sendJson(reply, writer.completion(text, finish, usage));
    }
  }
  return CompletionsController;
}

/** The prompt's token ids: the messages through the chat template, or the text (or ids) of a completion. */
function promptIds({ tokenizer, vocabSize }: Served, request: CompletionRequest, chat: boolean): number[] {
  if (chat) {
    if (!tokenizer.hasChatTemplate) throw invalidRequest('this model has no chat template: use /completions', 'messages');
    return tokenizer.encodeChat(request.messages!);
  }
  if (typeof request.prompt === 'string') return tokenizer.encode(request.prompt);
  const ids = request.prompt!;
  if (ids.some((id) => id >= vocabSize)) throw invalidRequest(`token ids must be below ${vocabSize}`, 'prompt');
  return ids;
}

function streamError(error: unknown): object {
  if (error instanceof PipelineError) return openAIErrorBody(error.getStatus(), error.getStatus() >= 500 ? 'the model failed to answer' : error.body);
  return openAIErrorBody(500, 'internal error');
}

function sendJson(reply: Reply, body: object): void {
  reply.hijack?.();
  const response = reply.raw ?? (reply as unknown as ServerResponse);
  const json = JSON.stringify(body);
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  response.end(json);
}
