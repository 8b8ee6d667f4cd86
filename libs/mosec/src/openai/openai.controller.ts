import type { ServerResponse } from 'node:http';
import { Body, Controller, DynamicModule, Get, HttpCode, Module, Param, Post, Res, Type } from '@nestjs/common';
import { APP_FILTER, HttpAdapterHost, ModuleRef } from '@nestjs/core';
import { validateSync } from 'class-validator';
import { PipelineClients } from './pipeline-clients';
import { swaggerDecorator } from './api-property';
import { vectorToBase64 } from './base64-vectors';
import { EmbeddingItem, embeddingItems, EmbeddingResult, tokenIdsProblem } from './embedding-input';
import { CreateEmbeddingRequest, CreateEmbeddingResponse, ModelCard, ModelList } from './embeddings.dto';
import { invalidRequest, OpenAIError } from './openai-error';
import { OpenAIErrorFilter } from './openai-error.filter';
import { ChatModel, completionsController } from './completions.controller';
import { byModelName } from './model-names';

/** An embedding model served under OpenAI's API, by a pipeline that takes one `EmbeddingItem` and answers an `EmbeddingResult`. */
export interface EmbeddingModel {
  /** The name clients send as `model` and `GET /v1/models` lists. */
  id: string;
  /** Other names accepted for it (e.g. its Hugging Face id). */
  aliases?: string[];
  /** The pipeline (served by `MosecModule` in the same application). */
  pipeline: Type<unknown>;
  /** Width of its vectors: a request asking other `dimensions` gets a 400. */
  dimensions: number;
  /** Token ids run from 0 to `vocabSize - 1`. */
  vocabSize: number;
  /** Tokens per input: longer texts are truncated, longer token-id inputs refused. */
  maxTokens: number;
  /** `owned_by` in the model list. Default `mosec`. */
  ownedBy?: string;
}

export interface OpenAIControllerOptions {
  embeddings?: EmbeddingModel[];
  /** Text generation models: `POST /v1/chat/completions` and `POST /v1/completions`. */
  chat?: ChatModel[];
  /** Where the routes are. Default `v1` (`POST /v1/embeddings`, `GET /v1/models`). */
  path?: string;
  /**
   * Inputs of one request in the pipeline at once. A request's inputs become items that batch with
   * every other request's; this keeps one request of 2,048 inputs from filling the queue alone. Default 128.
   */
  inputsInFlight?: number;
}

/** The header that says how many of a request's texts were cut to the model's maximum. */
export const TRUNCATED_HEADER = 'x-truncated-inputs';

/**
 * OpenAI's embeddings API (`POST /v1/embeddings`, `GET /v1/models`) over mosec pipelines: import
 * `OpenAIModule.forRoot({ embeddings })` beside `MosecModule.forRoot` serving those pipelines. Each
 * input of a request is one item of its pipeline (so it batches with everyone's); the answers are
 * joined in input order. Errors on these routes answer in OpenAI's shape, bodies that do not parse included.
 */
@Module({})
export class OpenAIModule {
  static forRoot(options: OpenAIControllerOptions): DynamicModule {
    const path = (options.path ?? 'v1').replace(/^\/+|\/+$/g, '');
    const routes = new RegExp(`/${escapeRegExp(path)}/(embeddings|models|chat/completions|completions)(/[^/]*)?/?$`);
    const controllers = [openAIController(options, path)];
    if (options.chat?.length) controllers.push(completionsController(options.chat, path, clientGone));
    return {
      module: OpenAIModule,
      controllers,
      providers: [{ provide: APP_FILTER, useFactory: (host: HttpAdapterHost) => new OpenAIErrorFilter(routes, host), inject: [HttpAdapterHost] }],
    };
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function openAIController(options: OpenAIControllerOptions, path: string): Type<unknown> {
  const models = byModelName(options.embeddings ?? [], (model) => model);
  const listed = [...(options.embeddings ?? []), ...(options.chat ?? [])];
  const named = byModelName<EmbeddingModel | ChatModel, EmbeddingModel | ChatModel>(listed, (model) => model);
  const inFlight = options.inputsInFlight ?? 128;
  const created = Math.floor(Date.now() / 1000);
  const card = (model: EmbeddingModel | ChatModel): ModelCard => ({ id: model.id, object: 'model', created, owned_by: model.ownedBy ?? 'mosec' });

  @Controller(path)
  @swaggerDecorator('ApiTags', 'OpenAI')
  class OpenAIController {
    private readonly clients: PipelineClients<EmbeddingItem, EmbeddingResult>;

    constructor(moduleRef: ModuleRef) {
      this.clients = new PipelineClients(moduleRef);
    }

    @Post('embeddings')
    @HttpCode(200)
    @swaggerDecorator('ApiOperation', { summary: "Creates embedding vectors (OpenAI's API)" })
    @swaggerDecorator('ApiBody', { type: CreateEmbeddingRequest })
    @swaggerDecorator('ApiOkResponse', { type: CreateEmbeddingResponse })
    async embeddings(@Body() body: unknown, @Res({ passthrough: true }) reply: Reply): Promise<CreateEmbeddingResponse> {
      const request = checkRequest(body);
      const model = models.get(request.model);
      if (!model) throw new OpenAIError(400, `The model '${request.model}' does not exist`, { param: 'model', code: 'model_not_found' });
      if (request.dimensions !== undefined && request.dimensions !== model.dimensions) {
        throw invalidRequest(`${model.id} makes vectors of ${model.dimensions} dimensions only, not ${request.dimensions}`, 'dimensions');
      }
      const items = embeddingItems(request.input);
      const problem = tokenIdsProblem(items, model.vocabSize, model.maxTokens);
      if (problem) throw invalidRequest(problem, 'input');
      const results = await runEach(items, inFlight, (item, signal) => this.clients.of(model.pipeline).run(item, { signal }), clientGone(reply));
      const base64 = request.encoding_format === 'base64';
      const tokens = results.reduce((sum, result) => sum + result.tokens, 0);
      const truncated = results.filter((result) => result.truncated).length;
      if (truncated > 0) reply.header?.(TRUNCATED_HEADER, String(truncated));
      return {
        object: 'list',
        data: results.map((result, index) => ({
          object: 'embedding',
          embedding: base64 ? vectorToBase64(result.embedding) : Array.from(result.embedding),
          index,
        })),
        model: model.id,
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      };
    }

    @Get('models')
    @swaggerDecorator('ApiOkResponse', { type: ModelList })
    models(): ModelList {
      return { object: 'list', data: listed.map(card) };
    }

    @Get('models/:model')
    @swaggerDecorator('ApiOkResponse', { type: ModelCard })
    model(@Param('model') name: string): ModelCard {
      const model = named.get(name);
      if (!model) throw new OpenAIError(404, `The model '${name}' does not exist`, { param: 'model', code: 'model_not_found' });
      return card(model);
    }
  }
  return OpenAIController;
}

/** The body as a checked request, or a 400 naming the first parameter at fault. */
function checkRequest(body: unknown): CreateEmbeddingRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidRequest('the body must be a JSON object', null);
  const request = Object.assign(new CreateEmbeddingRequest(), body);
  const [error] = validateSync(request, { stopAtFirstError: true });
  if (error) throw invalidRequest(Object.values(error.constraints ?? {})[0] ?? `invalid ${error.property}`, error.property);
  return request;
}

/** Fastify's reply (its Node response in `raw`) or Express's response. */
type Reply = { header?(name: string, value: string): unknown; raw?: ServerResponse };

/** Aborted when the client leaves before its answer is sent. */
function clientGone(reply: Reply): AbortSignal {
  const response = reply.raw ?? (reply as unknown as ServerResponse);
  const gone = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) gone.abort();
  });
  return gone.signal;
}

/**
 * `run` on every item, at most `limit` at once, results in item order. The first failure, or `stop`,
 * ends the rest: the items not yet started never start, those in the pipeline are withdrawn.
 */
async function runEach<In, Out>(items: In[], limit: number, run: (item: In, signal: AbortSignal) => Promise<Out>, stop: AbortSignal): Promise<Out[]> {
  const results = new Array<Out>(items.length);
  const abort = new AbortController();
  stop.addEventListener('abort', () => abort.abort(), { once: true });
  let next = 0;
  const lane = async () => {
    while (next < items.length && !abort.signal.aborted) {
      const index = next++;
      results[index] = await run(items[index], abort.signal);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  } catch (error) {
    abort.abort();
    throw error;
  }
  // Stopped between two items: no run failed, but some never ran.
  if (abort.signal.aborted) throw Object.assign(new Error('the client closed the request'), { name: 'AbortError' });
  return results;
}
