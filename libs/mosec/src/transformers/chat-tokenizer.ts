import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelDirectory } from './model-directory';

/** One message of a chat, as OpenAI's API and chat templates take it. */
export interface ChatMessage {
  role: string;
  content: string;
}

/**
 * A causal model's tokenizer and chat template (`tokenizer.json`, `tokenizer_config.json`'s
 * `chat_template`, rendered with `@huggingface/jinja`): messages to prompt token ids, token ids back
 * to text. Loaded where it is used (both packages are required here only).
 */
export class ChatTokenizer {
  private constructor(
    private readonly tokenizer: import('@huggingface/tokenizers').Tokenizer,
    private readonly template: import('@huggingface/jinja').Template | undefined,
    private readonly specials: Record<string, string>,
  ) {}

  static load(model: Pick<ModelDirectory, 'dir' | 'tokenizerPath'>): ChatTokenizer {
    const { Tokenizer } = require('@huggingface/tokenizers') as typeof import('@huggingface/tokenizers');
    const { Template } = require('@huggingface/jinja') as typeof import('@huggingface/jinja');
    const json = JSON.parse(readFileSync(model.tokenizerPath, 'utf8'));
    let config: Record<string, any> = {};
    try {
      config = JSON.parse(readFileSync(join(model.dir, 'tokenizer_config.json'), 'utf8'));
    } catch {
      // No tokenizer_config.json: no chat template, plain completions only.
    }
    const specials = Object.fromEntries(
      ['bos_token', 'eos_token', 'unk_token', 'pad_token'].map((name) => [name, typeof config[name] === 'string' ? config[name] : (config[name]?.content ?? '')]),
    );
    const template = typeof config.chat_template === 'string' ? new Template(config.chat_template) : undefined;
    return new ChatTokenizer(new Tokenizer(json, config), template, specials);
  }

  get hasChatTemplate(): boolean {
    return this.template !== undefined;
  }

  /** The prompt of a chat, ready for the assistant's answer. */
  encodeChat(messages: ChatMessage[]): number[] {
    if (!this.template) throw new Error('this model has no chat template (tokenizer_config.json chat_template)');
    const text = this.template.render({ messages, add_generation_prompt: true, ...this.specials });
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  /** A plain text prompt (the tokenizer's own special tokens added, as its configuration says). */
  encode(text: string): number[] {
    return this.tokenizer.encode(text).ids;
  }

  /** Text of token ids, special tokens left out. */
  decode(ids: number[]): string {
    return this.tokenizer.decode(ids, { skip_special_tokens: true });
  }
}
