/**
 * The Hugging Face tokenizer files (`tokenizer.json`, `tokenizer_config.json`) of a GGUF model,
 * built from its byte-level BPE vocabulary, merges, pre-tokenizer name, special tokens and chat
 * template, so `@huggingface/tokenizers` (or Python's `tokenizers`) loads them as they are.
 */
import { GgufFile, isNumberArray, isString, isStringArray, requireMetadata } from './gguf-file';

/** llama.cpp's token types. */
const CONTROL = 3;
const USER_DEFINED = 4;

/** GPT-2's split: contractions, letters, numbers, other symbols, whitespace. */
const GPT2_SPLIT = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
const LLAMA3_PATTERN =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

/** llama.cpp's pre-tokenizer names (`tokenizer.ggml.pre`) and the same split in Hugging Face's terms. */
const PRE_TOKENIZERS: Record<string, object> = {
  gpt2: GPT2_SPLIT,
  default: GPT2_SPLIT,
  // Every digit on its own, then GPT-2's split.
  smollm: { type: 'Sequence', pretokenizers: [{ type: 'Digits', individual_digits: true }, GPT2_SPLIT] },
  starcoder: { type: 'Sequence', pretokenizers: [{ type: 'Digits', individual_digits: true }, GPT2_SPLIT] },
  'llama-bpe': {
    type: 'Sequence',
    pretokenizers: [
      { type: 'Split', pattern: { Regex: LLAMA3_PATTERN }, behavior: 'Isolated', invert: false },
      { ...GPT2_SPLIT, use_regex: false },
    ],
  },
};

export const SUPPORTED_PRE_TOKENIZERS = Object.keys(PRE_TOKENIZERS);

interface Vocabulary {
  tokens: string[];
  types: number[];
  merges: string[];
  pre: string;
}

function readVocabulary(file: GgufFile): Vocabulary {
  const model = requireMetadata(file, 'tokenizer.ggml.model', isString);
  if (model !== 'gpt2') {
    throw new Error(`GGUF tokenizer "${model}" is not supported (byte-level BPE, "gpt2", is)`);
  }
  const pre = file.metadata.get('tokenizer.ggml.pre') ?? 'default';
  if (typeof pre !== 'string' || !(pre in PRE_TOKENIZERS)) {
    throw new Error(`GGUF pre-tokenizer "${String(pre)}" is not supported (supported: ${SUPPORTED_PRE_TOKENIZERS.join(', ')})`);
  }
  const tokens = requireMetadata(file, 'tokenizer.ggml.tokens', isStringArray);
  const types = file.metadata.has('tokenizer.ggml.token_type')
    ? requireMetadata(file, 'tokenizer.ggml.token_type', isNumberArray)
    : tokens.map(() => 1);
  const merges = requireMetadata(file, 'tokenizer.ggml.merges', isStringArray);
  return { tokens, types, merges, pre };
}

function tokenId(file: GgufFile, key: string): number | undefined {
  const id = file.metadata.get(`tokenizer.ggml.${key}_token_id`);
  return typeof id === 'number' ? id : undefined;
}

export interface SpecialTokens {
  bos?: number;
  eos?: number;
  unk?: number;
  pad?: number;
}

export function specialTokens(file: GgufFile): SpecialTokens {
  return { bos: tokenId(file, 'bos'), eos: tokenId(file, 'eos'), unk: tokenId(file, 'unknown'), pad: tokenId(file, 'padding') };
}

export function tokenizerJson(file: GgufFile): object {
  const { tokens, types, merges, pre } = readVocabulary(file);
  const special = specialTokens(file);
  const addBos = file.metadata.get('tokenizer.ggml.add_bos_token') === true && special.bos !== undefined;
  const addedTokens = tokens.flatMap((content, id) =>
    types[id] === CONTROL || types[id] === USER_DEFINED
      ? [{ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: types[id] === CONTROL }]
      : [],
  );
  const postProcessor = addBos
    ? {
        type: 'TemplateProcessing',
        single: [{ SpecialToken: { id: tokens[special.bos!], type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
        pair: [{ SpecialToken: { id: tokens[special.bos!], type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
        special_tokens: { [tokens[special.bos!]]: { id: tokens[special.bos!], ids: [special.bos], tokens: [tokens[special.bos!]] } },
      }
    : { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: null,
    pre_tokenizer: PRE_TOKENIZERS[pre],
    post_processor: postProcessor,
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: pre === 'llama-bpe',
      vocab: Object.fromEntries(tokens.map((token, id) => [token, id])),
      merges: merges.map((merge) => {
        const space = merge.indexOf(' ');
        if (space <= 0) throw new Error(`GGUF merge "${merge}" is not two tokens separated by a space`);
        return [merge.slice(0, space), merge.slice(space + 1)];
      }),
    },
  };
}

export function tokenizerConfigJson(file: GgufFile, contextLength: number): object {
  const { tokens, types } = readVocabulary(file);
  const special = specialTokens(file);
  const name = (id: number | undefined) => (id === undefined ? null : tokens[id]);
  const chatTemplate = file.metadata.get('tokenizer.chat_template');
  const decoder = Object.fromEntries(
    tokens.flatMap((content, id) =>
      types[id] === CONTROL || types[id] === USER_DEFINED
        ? [[String(id), { content, lstrip: false, normalized: false, rstrip: false, single_word: false, special: types[id] === CONTROL }]]
        : [],
    ),
  );
  return {
    add_bos_token: file.metadata.get('tokenizer.ggml.add_bos_token') === true,
    add_eos_token: file.metadata.get('tokenizer.ggml.add_eos_token') === true,
    add_prefix_space: false,
    added_tokens_decoder: decoder,
    bos_token: name(special.bos),
    eos_token: name(special.eos),
    unk_token: name(special.unk),
    pad_token: name(special.pad),
    ...(typeof chatTemplate === 'string' ? { chat_template: chatTemplate } : {}),
    clean_up_tokenization_spaces: false,
    model_max_length: contextLength,
    tokenizer_class: 'PreTrainedTokenizerFast',
  };
}
