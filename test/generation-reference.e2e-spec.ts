/** @jest-environment ./test/support/onnx-environment.js */
// The converted SmolLM2-135M-Instruct (made by `npm ci`, see scripts/fetch-smollm2.js) through the
// plain greedy loop of bench/lib/greedy.js: it answers, and padding and masks keep a batched prompt's
// output equal to the prompt's output alone.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { loadCausalModel, greedyGenerate } = require('../bench/lib/greedy');
// eslint-disable-next-line @typescript-eslint/no-require-imports
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
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let model: any;

  beforeAll(async () => {
    if (!existsSync(join(dir, 'onnx', 'model.onnx'))) {
      throw new Error(`no converted model in ${dir}: run \`npm run setup:models\` (npm ci runs it)`);
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
});
