/** @jest-environment ./test/support/onnx-environment.js */
import OpenAI from 'openai';
import { scrape, total } from './support/metrics';
import { RunningServer, sleep, startServer } from './support/server';

// The plain greedy loop over the same converted graph: the reference the service is held to.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { loadCausalModel, greedyGenerate } = require('../bench/lib/greedy');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { smollm2Dir } = require('../scripts/fetch-smollm2');

/**
 * The chat example end to end with OpenAI's official client: SmolLM2-135M-Instruct converted from its
 * GGUF (what `npm ci` makes), one generation worker running up to 8 sequences at once.
 */
jest.setTimeout(300_000);

const MODEL = 'SmolLM2-135M-Instruct';
// Eight of the benchmark's varied questions (prompts of different lengths), the first about Paris.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const QUESTIONS: string[] = require('../bench/lib/chat-prompts').slice(0, 8);
const PARIS = QUESTIONS[0];
const POEM = QUESTIONS[1];
const user = (content: string) => [{ role: 'user' as const, content }];

describe('chat example (OpenAI chat and text completions, continuous batching)', () => {
  let server: RunningServer;
  let client: OpenAI;
  let reference: any;

  beforeAll(async () => {
    server = await startServer('examples/chat/main.js', {}, { readyTimeoutMs: 120_000 });
    client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'not-checked', maxRetries: 0, timeout: 240_000 });
    reference = await loadCausalModel(smollm2Dir(), { threads: 1 });
  });

  afterAll(async () => {
    await server?.stop();
  });

  /** Greedy text and token count of a streamed chat, and the chunks it came in. */
  async function streamChat(content: string, options: Record<string, unknown> = {}) {
    const stream = await client.chat.completions.create({ model: MODEL, messages: user(content), stream: true, stream_options: { include_usage: true }, temperature: 0, ...options } as any);
    const chunks: any[] = [];
    for await (const chunk of stream as any) chunks.push(chunk);
    const text = chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('');
    const finish = chunks.map((chunk) => chunk.choices[0]?.finish_reason).find(Boolean);
    return { text, finish, usage: chunks[chunks.length - 1].usage, chunks };
  }

  it('streams the greedy answer of the plain loop over the same graph, with exact usage', async () => {
    const prompt: number[] = reference.chatPrompt(PARIS);
    const { tokens } = await greedyGenerate(reference, [prompt], { maxNewTokens: 24 });
    const expected = reference.tokenizer.decode(tokens[0], { skip_special_tokens: true });
    const answer = await streamChat(PARIS, { max_tokens: 24 });
    expect(answer.text).toBe(expected);
    expect(answer.text).toMatch(/Paris/);
    expect(answer.usage).toEqual({ prompt_tokens: prompt.length, completion_tokens: tokens[0].length, total_tokens: prompt.length + tokens[0].length });
    expect(answer.finish).toBe(tokens[0].length < 24 ? 'stop' : 'length');
    const [first] = answer.chunks;
    expect(first).toMatchObject({ object: 'chat.completion.chunk', model: MODEL, choices: [{ index: 0, delta: { role: 'assistant' } }] });
    expect(new Set(answer.chunks.map((chunk) => chunk.id)).size).toBe(1);
    // The usage chunk comes last, with no choices.
    expect(answer.chunks[answer.chunks.length - 1].choices).toEqual([]);
  });

  it('answers the same without streaming, and stops at max_tokens with finish_reason "length"', async () => {
    const streamed = await streamChat(PARIS, { max_tokens: 24 });
    const whole = await client.chat.completions.create({ model: MODEL, messages: user(PARIS), temperature: 0, max_tokens: 24 });
    expect(whole.object).toBe('chat.completion');
    expect(whole.choices[0].message).toMatchObject({ role: 'assistant', content: streamed.text });
    expect(whole.usage).toEqual(streamed.usage);
    const cut = await client.chat.completions.create({ model: MODEL, messages: user(POEM), temperature: 0, max_completion_tokens: 3 });
    expect(cut.choices[0].finish_reason).toBe('length');
    expect(cut.usage!.completion_tokens).toBe(3);
  });

  it('with ignore_eos runs past the end of the answer to max_tokens (what benchmarks ask)', async () => {
    const natural = await streamChat(PARIS, { max_tokens: 48 });
    expect(natural.finish).toBe('stop');
    expect(natural.usage.completion_tokens).toBeLessThan(48);
    const forced = await streamChat(PARIS, { max_tokens: 48, ignore_eos: true });
    expect(forced.finish).toBe('length');
    expect(forced.usage.completion_tokens).toBe(48);
    expect(forced.text.startsWith(natural.text)).toBe(true);
    expect(forced.text.length).toBeGreaterThan(natural.text.length);
    // A ban on the answer's first token changes the answer.
    const { tokens } = await greedyGenerate(reference, [reference.chatPrompt(PARIS)], { maxNewTokens: 1 });
    const first = tokens[0][0];
    const banned = await streamChat(PARIS, { max_tokens: 8, logit_bias: { [first]: -100 } });
    expect(banned.text.startsWith(natural.text.slice(0, 8))).toBe(false);
  });

  it('never shows a stop string, nor what follows it', async () => {
    const full = await streamChat(PARIS, { max_tokens: 24 });
    const at = full.text.indexOf('Paris');
    expect(at).toBeGreaterThan(0);
    const stopped = await streamChat(PARIS, { max_tokens: 24, stop: ['Par', 'never there'] });
    expect(stopped.text).toBe(full.text.slice(0, at));
    expect(stopped.finish).toBe('stop');
    for (const chunk of stopped.chunks) expect(chunk.choices[0]?.delta?.content ?? '').not.toMatch(/Par/);
  });

  it('gives the same text for the same seed when sampling', async () => {
    const ask = (seed: number) => client.chat.completions.create({ model: MODEL, messages: user('Tell me a story about a cat.'), temperature: 1.2, top_p: 0.95, seed, max_tokens: 16 });
    const [a, b, c] = await Promise.all([ask(7), ask(7), ask(8)]);
    expect(a.choices[0].message.content).toBe(b.choices[0].message.content);
    // Another seed takes another path (sixteen tokens at temperature 1.2 all equal by chance: practically never).
    expect(c.choices[0].message.content).not.toBe(a.choices[0].message.content);
  });

  it('gives each prompt the same greedy tokens alone and running with 7 others', async () => {
    const ask = (question: string) => streamChat(question, { max_tokens: 16 });
    const alone: Awaited<ReturnType<typeof ask>>[] = [];
    for (const question of QUESTIONS) alone.push(await ask(question));
    const before = total(await scrape(server.url), 'mosec_time_to_first_token_second_count');
    const together = await Promise.all(QUESTIONS.map(ask));
    together.forEach((answer, i) => expect({ question: QUESTIONS[i], text: answer.text, usage: answer.usage }).toEqual({ question: QUESTIONS[i], text: alone[i].text, usage: alone[i].usage }));
    expect(total(await scrape(server.url), 'mosec_time_to_first_token_second_count') - before).toBe(QUESTIONS.length);
  });

  it('continues a text prompt on /v1/completions', async () => {
    const answer = await client.completions.create({ model: MODEL, prompt: 'The capital of France is', max_tokens: 4, temperature: 0 });
    expect(answer.object).toBe('text_completion');
    expect(answer.choices[0].text.length).toBeGreaterThan(0);
    expect(answer.usage!.completion_tokens).toBeLessThanOrEqual(4);
    const stream = await client.completions.create({ model: MODEL, prompt: 'The capital of France is', max_tokens: 4, temperature: 0, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
    expect(text).toBe(answer.choices[0].text);
  });

  it('lists the model', async () => {
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toContain(MODEL);
  });

  it.each([
    ['no messages', { messages: [] }, 'messages'],
    ['an unknown role', { messages: [{ role: 'wizard', content: 'hi' }] }, 'messages[0].role'],
    ['a negative max_tokens', { messages: user('hi'), max_tokens: -1 }, 'max_tokens'],
    ['a logit_bias out of range', { messages: user('hi'), logit_bias: { '5': 101 } }, 'logit_bias'],
    ['a logit_bias past the vocabulary', { messages: user('hi'), logit_bias: { '999999': 1 } }, 'logit_bias'],
    ['a huge max_tokens', { messages: user('hi'), max_tokens: 1_000_000 }, 'max_tokens'],
    ['a prompt past the context window', { messages: user('word '.repeat(9000)) }, 'messages'],
    ['an unknown model', { model: 'gpt-imaginary', messages: user('hi') }, 'model'],
    ['n = 2', { messages: user('hi'), n: 2 }, 'n'],
    ['temperature 3', { messages: user('hi'), temperature: 3 }, 'temperature'],
  ])('answers %s with a 400 in OpenAI shape', async (_, body, param) => {
    const error: any = await client.chat.completions.create({ model: MODEL, ...body } as any).catch((caught) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.status).toBe(400);
    expect(error.error).toMatchObject({ type: 'invalid_request_error', param });
    expect(typeof error.error.message).toBe('string');
  });

  it('stops generating for a stream aborted after 5 tokens: the sequence leaves within 1 s', async () => {
    const generated = async () => total(await scrape(server.url), 'mosec_tokens_generated_total', { route: '/generate' });
    const running = async () => total(await scrape(server.url), 'mosec_sequences_running', { route: '/generate' });
    const before = await generated();
    const stream = await client.chat.completions.create({ model: MODEL, messages: user(POEM), stream: true, max_tokens: 400, temperature: 0 });
    let received = 0;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta?.content) received++;
      if (received === 5) {
        expect(await running()).toBe(1);
        break; // the client's loop ends: it aborts the request
      }
    }
    const abortedAt = Date.now();
    while ((await running()) > 0 && Date.now() - abortedAt < 5000) await sleep(50);
    expect(Date.now() - abortedAt).toBeLessThan(1000);
    const atLeave = await generated();
    await sleep(1000);
    expect(await generated()).toBe(atLeave);
    // A handful of tokens past the fifth (those made while the client left), far from 400.
    expect(atLeave - before).toBeGreaterThanOrEqual(5);
    expect(atLeave - before).toBeLessThan(40);
  });

  it('serves well-formed requests after all of that', async () => {
    const answer = await streamChat(PARIS, { max_tokens: 8 });
    expect(answer.text).toMatch(/Paris/);
  });
});
