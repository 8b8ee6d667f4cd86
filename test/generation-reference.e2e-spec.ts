/** @jest-environment ./test/support/onnx-environment.js */
// The converted SmolLM2-135M-Instruct (made by `npm ci`, see scripts/fetch-smollm2.js) through the
// plain greedy loop of bench/lib/greedy.js: it answers, and padding and masks keep a batched prompt's
// output equal to the prompt's output alone.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const { loadCausalModel, greedyGenerate, lastTokenArgmax } = require('../bench/lib/greedy');
const { smollm2Dir } = require('../scripts/fetch-smollm2');

jest.setTimeout(300_000);

const QUESTIONS = [
  'What is the capital of France?',
  'Hi',
  'Name three primary colors.',
  'Write a haiku about the sea at night, with the moon rising slowly over the waves.',
  'What is 12 + 30?',
  'Translate "good morning" into Spanish.',
  'Give me one tip for sleeping better, and explain in a sentence why it works for most people.',
  'Who wrote Romeo and Juliet?',
];

describe('SmolLM2-135M-Instruct converted from GGUF, greedy with the key/value cache', () => {
  const dir = smollm2Dir();
  let model: any;

  beforeAll(async () => {
    if (!existsSync(join(dir, 'onnx', 'model.onnx'))) {
      throw new Error(`no converted model in ${dir}: run \`npm run fetch-models\` (npm ci runs it)`);
    }
    model = await loadCausalModel(dir);
  });

  it('answers "Paris" to the capital of France', async () => {
    const { tokens } = await greedyGenerate(model, [model.chatPrompt(QUESTIONS[0])], { maxNewTokens: 8 });
    expect(model.tokenizer.decode(tokens[0], { skip_special_tokens: true })).toMatch(/Paris/);
  });

  it('gives each prompt the same 16 tokens alone and left-padded in a batch of 8 prompts of different lengths', async () => {
    const prompts: number[][] = QUESTIONS.map((question) => model.chatPrompt(question));
    expect(new Set(prompts.map((prompt) => prompt.length)).size).toBe(prompts.length);
    const batched = await greedyGenerate(model, prompts, { maxNewTokens: 16 });
    for (const [i, prompt] of prompts.entries()) {
      const alone = await greedyGenerate(model, [prompt], { maxNewTokens: 16 });
      expect({ question: QUESTIONS[i], tokens: batched.tokens[i] }).toEqual({ question: QUESTIONS[i], tokens: alone.tokens[0] });
    }
  });

  it('takes right padding too: after a right-padded prefill, a decode step skips the padding columns', async () => {
    const { ort, session, config } = model;
    const prompts: number[][] = QUESTIONS.slice(0, 4).map((question) => model.chatPrompt(question));
    const alone = [];
    for (const prompt of prompts) alone.push((await greedyGenerate(model, [prompt], { maxNewTokens: 2, stopAtEos: false })).tokens[0]);
    const longest = Math.max(...prompts.map((prompt) => prompt.length));
    const int64 = (values: number[], columns: number) => new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), [prompts.length, columns]);
    const padded = (fill: (prompt: number[], i: number) => number) =>
      int64(prompts.flatMap((prompt) => Array.from({ length: longest }, (_, i) => (i < prompt.length ? fill(prompt, i) : 0))), longest);
    const mask = (extra: number) => prompts.flatMap((prompt) => [...Array.from({ length: longest }, (_, i) => (i < prompt.length ? 1 : 0)), ...Array(extra).fill(1)]);
    const feeds: Record<string, unknown> = { input_ids: padded((prompt, i) => prompt[i]), attention_mask: int64(mask(0), longest), position_ids: padded((_, i) => i) };
    for (let layer = 0; layer < config.num_hidden_layers; layer++) {
      for (const part of ['key', 'value']) {
        feeds[`past_key_values.${layer}.${part}`] = new ort.Tensor('float32', new Float32Array(0), [prompts.length, config.num_key_value_heads, 0, config.head_dim]);
      }
    }
    const prefill = await session.run(feeds);
    const [, , vocab] = prefill.logits.dims;
    const first = prompts.map((prompt, row) => {
      const at = (row * longest + prompt.length - 1) * vocab;
      return lastTokenArgmax(new ort.Tensor('float32', prefill.logits.data.slice(at, at + vocab), [1, 1, vocab]))[0];
    });
    expect(first).toEqual(alone.map((tokens) => tokens[0]));

    // The next token goes after the padding, at its true position; the mask hides the padding columns.
    const step: Record<string, unknown> = {
      input_ids: int64(first, 1),
      attention_mask: int64(mask(1), longest + 1),
      position_ids: int64(prompts.map((prompt) => prompt.length), 1),
    };
    for (let layer = 0; layer < config.num_hidden_layers; layer++) {
      for (const part of ['key', 'value']) step[`past_key_values.${layer}.${part}`] = prefill[`present.${layer}.${part}`];
    }
    const second = lastTokenArgmax((await session.run(step)).logits);
    expect(second).toEqual(alone.map((tokens) => tokens[1]));
  });
});
