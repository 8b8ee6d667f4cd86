import { readFileSync } from 'node:fs';
import type { ModelDirectory } from './model-directory';

/** One input as the model takes it. */
export interface TokenizedText {
  /** Token ids, special tokens included, at most the model's `maxTokens`. */
  ids: number[];
  /** The text had more tokens than the model takes and was cut to `maxTokens`. */
  truncated: boolean;
}

/** Above this many characters, a text is first tokenized from a prefix (see `encode`). */
const PREFIX_CHARACTERS_PER_TOKEN = 16;

/**
 * A model's tokenizer (`tokenizer.json`, through `@huggingface/tokenizers`, loaded here and only here):
 * adds the special tokens, truncates to the model's maximum as sentence-transformers does (the
 * tokenizer.json's own truncation and padding are not applied: a batch is padded when it runs).
 */
export class TextTokenizer {
  private constructor(
    private readonly tokenizer: import('@huggingface/tokenizers').Tokenizer,
    readonly maxTokens: number,
  ) {}

  static load(model: Pick<ModelDirectory, 'tokenizerPath' | 'maxTokens'>): TextTokenizer {
    const { Tokenizer } = require('@huggingface/tokenizers') as typeof import('@huggingface/tokenizers');
    const json = JSON.parse(readFileSync(model.tokenizerPath, 'utf8'));
    const configPath = model.tokenizerPath.replace(/tokenizer\.json$/, 'tokenizer_config.json');
    let config = {};
    try {
      config = JSON.parse(readFileSync(configPath, 'utf8'));
    } catch {
      // tokenizer_config.json is optional: tokenizer.json describes the whole pipeline.
    }
    return new TextTokenizer(new Tokenizer(json, config), model.maxTokens);
  }

  encode(text: string): TokenizedText {
    // A long text is tokenized from a prefix cut at a space: when that prefix alone fills the model,
    // the tokens kept are the same as the whole text's, at a fraction of the work (a 1 MB text takes
    // ~2 s to tokenize whole). Otherwise (long runs of spaces) the whole text is tokenized.
    const limit = this.maxTokens * PREFIX_CHARACTERS_PER_TOKEN;
    if (text.length > limit) {
      const cut = text.lastIndexOf(' ', limit);
      if (cut > 0) {
        const prefix = this.encodeWhole(text.slice(0, cut));
        if (prefix.truncated) return prefix;
      }
    }
    return this.encodeWhole(text);
  }

  private encodeWhole(text: string): TokenizedText {
    const ids = this.tokenizer.encode(text).ids;
    if (ids.length <= this.maxTokens) return { ids, truncated: false };
    // Keep the special tokens the template adds around the text, cut the text's own tokens.
    const content = this.tokenizer.encode(text, { add_special_tokens: false }).ids;
    const before = leadingSpecials(ids, content);
    const after = ids.length - before - content.length;
    const kept = this.maxTokens - before - after;
    if (kept < 1) throw new Error(`the tokenizer adds ${before + after} special tokens, the model takes ${this.maxTokens}`);
    return { ids: [...ids.slice(0, before), ...content.slice(0, kept), ...ids.slice(ids.length - after)], truncated: true };
  }
}

/** How many ids the template put before the text's own (where `content` starts inside `ids`). */
function leadingSpecials(ids: number[], content: number[]): number {
  const specials = ids.length - content.length;
  for (let before = 0; before <= specials; before++) {
    if (content.every((id, i) => ids[before + i] === id)) return before;
  }
  throw new Error('the tokenizer template does not keep the text in one piece');
}
