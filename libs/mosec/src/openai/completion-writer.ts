import type { ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { formatEvent } from '../http/sse';

/** Fastify's reply (its Node response in `raw`, written after `hijack`) or Express's response. */
export type Reply = { raw?: ServerResponse; hijack?: () => void; header?(name: string, value: string): unknown };

export type FinishReason = 'stop' | 'length';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export function usageOf(promptTokens: number, completionTokens: number): Usage {
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}

/**
 * The bodies of one chat or text completion, in OpenAI's shapes: the whole answer, or its stream of
 * `chat.completion.chunk` (`text_completion`) events ended by `data: [DONE]`.
 */
export class CompletionWriter {
  readonly id: string;
  readonly created = Math.floor(Date.now() / 1000);
  private response?: ServerResponse;

  constructor(
    private readonly chat: boolean,
    private readonly model: string,
  ) {
    this.id = `${chat ? 'chatcmpl' : 'cmpl'}-${randomUUID().replace(/-/g, '')}`;
  }

  /** The whole answer (`stream: false`). */
  completion(text: string, finish: FinishReason, usage: Usage): object {
    const choice = this.chat
      ? { index: 0, message: { role: 'assistant', content: text, refusal: null }, logprobs: null, finish_reason: finish }
      : { index: 0, text, logprobs: null, finish_reason: finish };
    return { id: this.id, object: this.chat ? 'chat.completion' : 'text_completion', created: this.created, model: this.model, choices: [choice], usage };
  }

  get opened(): boolean {
    return this.response !== undefined;
  }

  /** Starts the event stream (headers, and a chat's first chunk with the assistant's role). */
  open(reply: Reply): void {
    reply.hijack?.();
    this.response = reply.raw ?? (reply as unknown as ServerResponse);
    this.response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
    if (this.chat) this.write(this.chunk({ role: 'assistant', content: '' }, null));
  }

  /** Some text of the answer. */
  text(text: string): void {
    if (text) this.write(this.chunk(this.chat ? { content: text } : text, null));
  }

  /** The last chunk (its finish reason), the usage chunk when asked for, and `[DONE]`. */
  finish(finish: FinishReason, usage: Usage | undefined): void {
    this.write(this.chunk(this.chat ? {} : '', finish));
    if (usage) this.write({ id: this.id, object: this.object, created: this.created, model: this.model, choices: [], usage });
    this.end();
  }

  /** A failure after the stream began: an error event in OpenAI's shape, then `[DONE]`. */
  fail(error: object): void {
    this.write(error);
    this.end();
  }

  private get object(): string {
    return this.chat ? 'chat.completion.chunk' : 'text_completion';
  }

  private chunk(delta: object | string, finish: FinishReason | null): object {
    const choice = this.chat
      ? { index: 0, delta, logprobs: null, finish_reason: finish }
      : { index: 0, text: delta, logprobs: null, finish_reason: finish };
    return { id: this.id, object: this.object, created: this.created, model: this.model, choices: [choice] };
  }

  private write(data: object): void {
    if (this.response && !this.response.destroyed && !this.response.writableEnded) this.response.write(formatEvent(JSON.stringify(data)));
  }

  private end(): void {
    if (!this.response || this.response.destroyed || this.response.writableEnded) return;
    this.response.write(formatEvent('[DONE]'));
    this.response.end();
  }
}
