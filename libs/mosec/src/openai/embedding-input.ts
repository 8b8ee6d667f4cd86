/** What OpenAI's API takes at most in one request. */
export const MAX_EMBEDDING_INPUTS = 2048;

/** One input of an embeddings request, as a pipeline item: a text, or token ids that skip the tokenizer. */
export type EmbeddingItem = { text: string } | { ids: number[] };

/** What the embedding pipeline answers for one item. */
export interface EmbeddingResult {
  /** The vector. */
  embedding: number[] | Float32Array;
  /** Tokens the model read (special tokens included, after truncation). */
  tokens: number;
  /** The text had more tokens than the model takes and was cut. */
  truncated?: boolean;
}

/**
 * Why `input` is not one of the four shapes OpenAI takes (a string, strings, token ids, arrays of
 * token ids; none empty, at most 2,048), or undefined when it is. Looks no deeper than two levels,
 * so a deeply nested array costs no more than a flat one.
 */
export function embeddingInputProblem(input: unknown): string | undefined {
  if (input === undefined || input === null) return 'input is required';
  if (typeof input === 'string') return input.length === 0 ? 'input must not be an empty string' : undefined;
  if (!Array.isArray(input)) return 'input must be a string, an array of strings, an array of token ids or an array of arrays of token ids';
  if (input.length === 0) return 'input must not be an empty array';
  if (input.length > MAX_EMBEDDING_INPUTS) return `input must have at most ${MAX_EMBEDDING_INPUTS} items, not ${input.length}`;
  const first = input[0];
  if (typeof first === 'string') {
    const bad = input.findIndex((item) => typeof item !== 'string' || item.length === 0);
    if (bad < 0) return undefined;
    return typeof input[bad] === 'string' ? `input[${bad}] must not be an empty string` : `input[${bad}] must be a string, like the other items`;
  }
  if (typeof first === 'number') return tokenProblem(input, 'input');
  if (Array.isArray(first)) {
    for (let i = 0; i < input.length; i++) {
      const ids = input[i];
      if (!Array.isArray(ids)) return `input[${i}] must be an array of token ids, like the other items`;
      if (ids.length === 0) return `input[${i}] must not be an empty array`;
      const problem = tokenProblem(ids, `input[${i}]`);
      if (problem) return problem;
    }
    return undefined;
  }
  return 'input[0] must be a string, a token id or an array of token ids';
}

function tokenProblem(ids: unknown[], where: string): string | undefined {
  const bad = ids.findIndex((id) => !Number.isSafeInteger(id) || (id as number) < 0);
  return bad < 0 ? undefined : `${where}[${bad}] must be a token id (an integer >= 0)`;
}

/** The items of a valid `input` (see `embeddingInputProblem`), in order. */
export function embeddingItems(input: string | string[] | number[] | number[][]): EmbeddingItem[] {
  if (typeof input === 'string') return [{ text: input }];
  if (typeof input[0] === 'string') return (input as string[]).map((text) => ({ text }));
  if (typeof input[0] === 'number') return [{ ids: input as number[] }];
  return (input as number[][]).map((ids) => ({ ids }));
}

/**
 * Why token ids cannot go to a model with `vocabSize` ids taking `maxTokens` per input, or undefined.
 * Texts are truncated to fit; ids are the client's own choice and are refused instead.
 */
export function tokenIdsProblem(items: readonly EmbeddingItem[], vocabSize: number, maxTokens: number): string | undefined {
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (!('ids' in item)) continue;
    const where = items.length === 1 ? 'input' : `input[${i}]`;
    if (item.ids.length > maxTokens) return `${where} has ${item.ids.length} tokens, the model takes at most ${maxTokens}`;
    const bad = item.ids.findIndex((id) => id >= vocabSize);
    if (bad >= 0) return `${where}[${bad}] is ${item.ids[bad]}, not a token id of the model (0 to ${vocabSize - 1})`;
  }
  return undefined;
}
