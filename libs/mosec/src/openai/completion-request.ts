import type { ChatMessage } from '../transformers/chat-tokenizer';
import { invalidRequest, OpenAIError } from './openai-error';

/** The generation a chat or text completion request asks for, checked (see `readCompletionRequest`). */
export interface CompletionRequest {
  model: string;
  /** Chat completions: the messages; text completions: the prompt (text or token ids). */
  messages?: ChatMessage[];
  prompt?: string | number[];
  maxTokens?: number;
  temperature: number;
  topP: number;
  seed?: number;
  stop: string[];
  stream: boolean;
  includeUsage: boolean;
  /** Added to the logits of these token ids before sampling (-100 bans a token, 100 all but forces it). */
  logitBias?: Record<number, number>;
  /** vLLM's extension: generate to `max_tokens` (or a stop string) even past the end-of-sequence token. */
  ignoreEos: boolean;
}

const ROLES = ['system', 'developer', 'user', 'assistant'];
const MAX_STOPS = 4;
const MAX_MESSAGES = 2048;

type Body = Record<string, unknown>;

/**
 * Checks a `POST /v1/chat/completions` (`chat`) or `POST /v1/completions` body as OpenAI's API does,
 * and throws a 400 in its shape naming the parameter at fault. Parameters that change nothing here
 * (`user`, `frequency_penalty` 0, `logprobs` false, ...) pass; those that would change the answer
 * and are not supported (`n` > 1, `logprobs`, `tools`) are refused rather than ignored.
 */
export function readCompletionRequest(body: unknown, chat: boolean): CompletionRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidRequest('the body must be a JSON object', null);
  const b = body as Body;
  if (typeof b.model !== 'string' || b.model === '') throw invalidRequest('model is required (a string)', 'model');
  const request: CompletionRequest = {
    model: b.model,
    temperature: numberIn(b, 'temperature', 0, 2) ?? 1,
    topP: numberIn(b, 'top_p', 0, 1) ?? 1,
    seed: integer(b, 'seed', -(2 ** 63), 2 ** 63),
    stop: stops(b.stop),
    stream: flag(b, 'stream') ?? false,
    includeUsage: false,
    ignoreEos: flag(b, 'ignore_eos') ?? false,
    logitBias: logitBias(b.logit_bias),
    maxTokens: integer(b, 'max_completion_tokens', 1, Number.MAX_SAFE_INTEGER) ?? integer(b, 'max_tokens', 1, Number.MAX_SAFE_INTEGER),
  };
  if (request.topP === 0) throw invalidRequest('top_p must be greater than 0', 'top_p');
  if (b.stream_options !== undefined && b.stream_options !== null) {
    if (!request.stream) throw invalidRequest('stream_options is only allowed when stream is true', 'stream_options');
    if (typeof b.stream_options !== 'object') throw invalidRequest('stream_options must be an object', 'stream_options');
    request.includeUsage = flag(b.stream_options as Body, 'include_usage', 'stream_options.include_usage') ?? false;
  }
  refuseUnsupported(b);
  if (chat) request.messages = messages(b.messages);
  else request.prompt = prompt(b.prompt);
  return request;
}

function refuseUnsupported(b: Body): void {
  if (b.n !== undefined && b.n !== null && b.n !== 1) throw invalidRequest('n must be 1: one choice per request', 'n');
  if (b.logprobs !== undefined && b.logprobs !== null && b.logprobs !== false) throw invalidRequest('logprobs are not supported', 'logprobs');
  if (Array.isArray(b.tools) && b.tools.length > 0) throw invalidRequest('tools are not supported by this model', 'tools');
  if (b.best_of !== undefined && b.best_of !== null && b.best_of !== 1) throw invalidRequest('best_of must be 1', 'best_of');
  if (b.echo === true) throw invalidRequest('echo is not supported', 'echo');
  if (b.suffix !== undefined && b.suffix !== null) throw invalidRequest('suffix is not supported', 'suffix');
}

function messages(value: unknown): ChatMessage[] {
  if (!Array.isArray(value) || value.length === 0) throw invalidRequest('messages must be a non-empty array', 'messages');
  if (value.length > MAX_MESSAGES) throw invalidRequest(`messages may hold at most ${MAX_MESSAGES} messages`, 'messages');
  return value.map((message, i) => {
    const param = `messages[${i}]`;
    if (typeof message !== 'object' || message === null) throw invalidRequest(`${param} must be an object`, param);
    const { role, content } = message as Body;
    if (typeof role !== 'string' || !ROLES.includes(role)) {
      throw invalidRequest(`${param}.role must be one of ${ROLES.map((r) => `'${r}'`).join(', ')}, not ${JSON.stringify(role)}`, `${param}.role`);
    }
    return { role: role === 'developer' ? 'system' : role, content: messageText(content, `${param}.content`) };
  });
}

/** A message's content: a string, or text parts (`[{ type: 'text', text }]`), joined. */
function messageText(content: unknown, param: string): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content) && content.every((part) => part?.type === 'text' && typeof part.text === 'string')) {
    return content.map((part) => part.text).join('');
  }
  throw invalidRequest(`${param} must be a string or an array of text parts`, param);
}

function prompt(value: unknown): string | number[] {
  if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'string') return value[0];
  if (typeof value === 'string' && value.length > 0) return value;
  if (Array.isArray(value) && value.length > 0 && value.every((id) => Number.isInteger(id) && id >= 0)) return value as number[];
  throw invalidRequest('prompt must be a non-empty string (or one string in an array, or an array of token ids)', 'prompt');
}

function stops(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length > MAX_STOPS || !list.every((stop) => typeof stop === 'string' && stop.length > 0)) {
    throw invalidRequest(`stop must be a non-empty string or an array of up to ${MAX_STOPS} of them`, 'stop');
  }
  return list;
}

const MAX_LOGIT_BIASES = 1024;

function logitBias(value: unknown): Record<number, number> | undefined {
  if (value === undefined || value === null) return undefined;
  const entries = typeof value === 'object' && !Array.isArray(value) ? Object.entries(value as Body) : undefined;
  const valid = entries?.every(([id, bias]) => /^\d{1,9}$/.test(id) && typeof bias === 'number' && bias >= -100 && bias <= 100);
  if (!entries || entries.length > MAX_LOGIT_BIASES || !valid) {
    throw invalidRequest(`logit_bias must map up to ${MAX_LOGIT_BIASES} token ids to numbers from -100 to 100`, 'logit_bias');
  }
  return Object.fromEntries(entries.map(([id, bias]) => [Number(id), bias as number]));
}

function numberIn(b: Body, name: string, min: number, max: number): number | undefined {
  const value = b[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !(value >= min && value <= max)) throw invalidRequest(`${name} must be a number from ${min} to ${max}`, name);
  return value;
}

function integer(b: Body, name: string, min: number, max: number): number | undefined {
  const value = b[name];
  if (value === undefined || value === null) return undefined;
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    throw invalidRequest(`${name} must be an integer${min === 1 ? ' of at least 1' : ''}`, name);
  }
  return value as number;
}

function flag(b: Body, name: string, param = name): boolean | undefined {
  const value = b[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidRequest(`${param} must be a boolean`, param);
  return value;
}

/** The 400 of a request past the model's context window, as OpenAI words it. */
export function contextExceeded(contextLength: number, promptTokens: number, maxTokens: number | undefined, param: string): OpenAIError {
  const asked = maxTokens === undefined ? `${promptTokens} tokens in the prompt` : `${promptTokens + maxTokens} tokens (${promptTokens} in the prompt, ${maxTokens} in the completion)`;
  return new OpenAIError(400, `This model's maximum context length is ${contextLength} tokens. However, you requested ${asked}. Please reduce the length of the prompt or of the completion.`, {
    param,
    code: 'context_length_exceeded',
  });
}
