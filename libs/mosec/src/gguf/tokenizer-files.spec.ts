import { Tokenizer } from '@huggingface/tokenizers';
import { GgufFile, GgufValue } from './gguf-file';
import { tokenizerConfigJson, tokenizerJson } from './tokenizer-files';

const TOKENS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>', 'a', 'b', 'Ġ', '1', '2', 'ab', 'Ġab', 'Ġ1'];

function file(overrides: Record<string, GgufValue> = {}): GgufFile {
  const metadata: Record<string, GgufValue> = {
    'tokenizer.ggml.model': 'gpt2',
    'tokenizer.ggml.pre': 'smollm',
    'tokenizer.ggml.tokens': TOKENS,
    'tokenizer.ggml.token_type': [3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1],
    'tokenizer.ggml.merges': ['a b', 'Ġ ab', 'Ġ 1'],
    'tokenizer.ggml.bos_token_id': 1,
    'tokenizer.ggml.eos_token_id': 2,
    'tokenizer.ggml.padding_token_id': 2,
    'tokenizer.chat_template': "{% for m in messages %}<|im_start|>{{ m['content'] }}<|im_end|>{% endfor %}",
    ...overrides,
  };
  return { version: 3, metadata: new Map(Object.entries(metadata)), tensors: new Map(), buffer: Buffer.alloc(0) };
}

describe('tokenizer files from GGUF metadata', () => {
  it('load in @huggingface/tokenizers and split as llama.cpp\'s smollm pre-tokenizer does (digits alone)', () => {
    const tokenizer = new Tokenizer(tokenizerJson(file()), tokenizerConfigJson(file(), 8192));
    const { ids } = tokenizer.encode('<|im_start|>ab ab 12<|im_end|>', { add_special_tokens: false });
    expect(ids.map((id) => TOKENS[id])).toEqual(['<|im_start|>', 'ab', 'Ġab', 'Ġ', '1', '2', '<|im_end|>']);
    expect(tokenizer.decode(ids, { skip_special_tokens: true })).toBe('ab ab 12');
  });

  it('carries the special tokens and the chat template', () => {
    expect(tokenizerConfigJson(file(), 8192)).toMatchObject({
      bos_token: '<|im_start|>',
      eos_token: '<|im_end|>',
      pad_token: '<|im_end|>',
      chat_template: expect.stringContaining('<|im_start|>'),
      model_max_length: 8192,
    });
  });

  it('names the tokenizers it cannot build', () => {
    expect(() => tokenizerJson(file({ 'tokenizer.ggml.model': 'llama' }))).toThrow('GGUF tokenizer "llama" is not supported');
    expect(() => tokenizerJson(file({ 'tokenizer.ggml.pre': 'qwen2' }))).toThrow('GGUF pre-tokenizer "qwen2" is not supported');
  });
});
