import OpenAI from 'openai';
import { TextTokenizer } from '@mosec/nest/transformers';
import { embeddingModel } from '../examples/embedding/embedding-model';
import { scrape, total } from './support/metrics';
import { eventually, post, RunningServer, sleep, startService } from './support/server';
import { reference } from './support/embedding-reference';

/**
 * The embedding example end to end, driven by OpenAI's official client: all-MiniLM-L6-v2 (what
 * `npm ci` fetches) in the stage workers, vectors compared with onnxruntime + Hugging Face `tokenizers`
 * in Python on the same files (test/fixtures/embeddings/reference.py wrote reference.json).
 */
jest.setTimeout(60_000);

const MODEL = 'all-MiniLM-L6-v2';
const texts = reference.cases.map((c) => c.text);
const tokenCount = (cases: typeof reference.cases) => cases.reduce((sum, c) => sum + c.ids.length, 0);

// The benchmark's cosine, one definition for both.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { cosine } = require('../bench/lib/embedding-accuracy') as { cosine: (a: ArrayLike<number>, b: ArrayLike<number>) => number };

describe('embedding example (OpenAI API, all-MiniLM-L6-v2)', () => {
  let server: RunningServer;
  let client: OpenAI;

  beforeAll(async () => {
    server = await startService('examples/embedding/main.js', {}, { readyTimeoutMs: 45_000 });
    client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'not-checked', maxRetries: 0 });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('embeds one string as the Python reference does, with its exact token count', async () => {
    const [first] = reference.cases;
    const answer = await client.embeddings.create({ model: MODEL, input: first.text, encoding_format: 'float' });
    expect(answer.object).toBe('list');
    expect(answer.model).toBe(MODEL);
    expect(answer.data).toHaveLength(1);
    expect(answer.data[0]).toMatchObject({ object: 'embedding', index: 0 });
    expect(answer.data[0].embedding).toHaveLength(384);
    expect(cosine(answer.data[0].embedding, first.embedding)).toBeGreaterThan(0.9999);
    expect(answer.usage).toEqual({ prompt_tokens: first.ids.length, total_tokens: first.ids.length });
  });

  it('embeds an array of tricky texts in input order (accents, scripts, emoji, a text truncated at 256 tokens)', async () => {
    const answer = await client.embeddings.create({ model: MODEL, input: texts, encoding_format: 'float' });
    expect(answer.data.map((d) => d.index)).toEqual(texts.map((_, i) => i));
    answer.data.forEach((d, i) => expect({ i, cosine: cosine(d.embedding, reference.cases[i].embedding) > 0.999 }).toEqual({ i, cosine: true }));
    expect(answer.usage.prompt_tokens).toBe(tokenCount(reference.cases));
    expect(answer.usage.total_tokens).toBe(answer.usage.prompt_tokens);
    expect(Math.max(...reference.cases.map((c) => c.ids.length))).toBe(256);
  });

  it('says how many texts it truncated, in the answer and in the metrics', async () => {
    const counted = async () => total(await scrape(server.url), 'embedding_truncated_inputs_total');
    const before = await counted();
    const long = reference.cases.find((c) => c.ids.length === 256)!;
    const answer = await post(`${server.url}/v1/embeddings`, { model: MODEL, input: [texts[0], long.text] });
    expect(answer.status).toBe(200);
    const { headers } = await fetch(`${server.url}/v1/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, input: [texts[0], long.text, long.text] }),
    });
    expect(headers.get('x-truncated-inputs')).toBe('2');
    expect((await counted()) - before).toBe(3);
  });

  it('takes token ids (one array, or an array of arrays) as the tokenizer would have made them', async () => {
    const [a, b] = reference.cases.slice(2, 4);
    const one = await client.embeddings.create({ model: MODEL, input: a.ids, encoding_format: 'float' });
    expect(cosine(one.data[0].embedding, a.embedding)).toBeGreaterThan(0.9999);
    expect(one.usage.prompt_tokens).toBe(a.ids.length);
    const many = await client.embeddings.create({ model: MODEL, input: [b.ids, a.ids], encoding_format: 'float' });
    expect(cosine(many.data[0].embedding, b.embedding)).toBeGreaterThan(0.9999);
    expect(cosine(many.data[1].embedding, a.embedding)).toBeGreaterThan(0.9999);
    expect(many.usage.prompt_tokens).toBe(a.ids.length + b.ids.length);
  });

  it('answers base64 (the client default, little-endian float32) with the same values as float', async () => {
    const floats = await client.embeddings.create({ model: MODEL, input: texts.slice(0, 3), encoding_format: 'float' });
    // Without encoding_format the client asks for base64 and decodes it into numbers itself.
    const decoded = await client.embeddings.create({ model: MODEL, input: texts.slice(0, 3) });
    decoded.data.forEach((d, i) => expect(d.embedding).toEqual(floats.data[i].embedding.map(Math.fround)));
    const raw = await post(`${server.url}/v1/embeddings`, { model: MODEL, input: texts[0], encoding_format: 'base64' });
    const bytes = Buffer.from(JSON.parse(raw.body).data[0].embedding, 'base64');
    expect(bytes.length).toBe(384 * 4);
    expect(bytes.readFloatLE(0)).toBe(Math.fround(floats.data[0].embedding[0]));
  });

  it('accepts the model by its Hugging Face name and lists what it serves', async () => {
    const answer = await client.embeddings.create({ model: `sentence-transformers/${MODEL}`, input: 'hi', encoding_format: 'float' });
    expect(answer.model).toBe(MODEL);
    const models = [];
    for await (const model of client.models.list()) models.push(model);
    expect(models).toEqual([expect.objectContaining({ id: MODEL, object: 'model', owned_by: 'mosec' })]);
    expect(await client.models.retrieve(MODEL)).toMatchObject({ id: MODEL });
    await expect(client.models.retrieve('gpt-4')).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
  });

  it('joins each input to its own request when many requests share batches', async () => {
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, i) => client.embeddings.create({ model: MODEL, input: [texts[i % 8], texts[(i + 3) % 8]], encoding_format: 'float' })),
    );
    answers.forEach((answer, i) => {
      expect(cosine(answer.data[0].embedding, reference.cases[i % 8].embedding)).toBeGreaterThan(0.999);
      expect(cosine(answer.data[1].embedding, reference.cases[(i + 3) % 8].embedding)).toBeGreaterThan(0.999);
      expect(answer.usage.prompt_tokens).toBe(reference.cases[i % 8].ids.length + reference.cases[(i + 3) % 8].ids.length);
    });
  });

  it('spreads a burst of 32 requests over both model workers, in batches of at most 8 texts', async () => {
    const embedBatches = async () => {
      const samples = await scrape(server.url);
      const perWorker = (name: string, where: Record<string, string> = {}) =>
        ['Embed#1', 'Embed#2'].map((connection) => total(samples, name, { stage: 'Embed', connection, ...where }));
      return { count: perWorker('mosec_service_batch_size_count'), upTo8: perWorker('mosec_service_batch_size_bucket', { le: '8' }) };
    };
    const before = await embedBatches();
    // Two bursts: the answers of the first come back together, as 32 clients' next requests do.
    for (let burst = 0; burst < 2; burst++) {
      await Promise.all(Array.from({ length: 32 }, (_, i) => client.embeddings.create({ model: MODEL, input: `${texts[i % 8]} (${burst}.${i})` })));
    }
    const after = await embedBatches();
    const ran = after.count.map((count, w) => count - before.count[w]);
    expect(ran.every((batches) => batches > 0)).toBe(true);
    const over8 = after.count.map((count, w) => count - after.upTo8[w] - (before.count[w] - before.upTo8[w]));
    expect(over8).toEqual([0, 0]);
  });

  it('serves 2,048 inputs in one request, the most OpenAI takes, each in its place', async () => {
    const many = Array.from({ length: 2048 }, (_, i) => `sentence number ${i} of a long request`);
    const answer = await client.embeddings.create({ model: MODEL, input: many, encoding_format: 'float' });
    expect(answer.data.map((d) => d.index)).toEqual(many.map((_, i) => i));
    const single = await client.embeddings.create({ model: MODEL, input: many[1234], encoding_format: 'float' });
    expect(cosine(answer.data[1234].embedding, single.data[0].embedding)).toBeGreaterThan(0.9999);
    const tokenizer = TextTokenizer.load(embeddingModel());
    expect(answer.usage.prompt_tokens).toBe(many.reduce((sum, text) => sum + tokenizer.encode(text).ids.length, 0));
  });

  it('withdraws the inputs of a request whose client left', async () => {
    const embedded = async () => total(await scrape(server.url), 'mosec_service_batch_size_sum', { stage: 'Embed' });
    const before = await embedded();
    const many = Array.from({ length: 2048 }, (_, i) => `a request its client leaves, number ${i}`);
    const leaving = new AbortController();
    const request = fetch(`${server.url}/v1/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, input: many }),
      signal: leaving.signal,
    });
    // Gone once the first items are through the model.
    await eventually(async () => (await embedded()) !== before, 30_000);
    leaving.abort();
    await expect(request).rejects.toMatchObject({ name: 'AbortError' });
    // Settled: the count stays put for a second (a request of 2,048 takes seconds on this machine).
    let last = -1;
    for (let now = await embedded(); now !== last; now = await embedded()) {
      last = now;
      await sleep(1_000);
    }
    expect(last - before).toBeLessThan(1024);
    // And the service goes on.
    expect((await client.embeddings.create({ model: MODEL, input: 'still here' })).data).toHaveLength(1);
  });

  const refusals: Array<[string, Record<string, unknown>, string | null, RegExp]> = [
    ['an empty string', { input: '' }, 'input', /empty string/],
    ['an empty array', { input: [] }, 'input', /empty array/],
    ['a number', { input: 42 }, 'input', /must be a string, an array/],
    ['an object', { input: { text: 'hi' } }, 'input', /must be a string, an array/],
    ['mixed strings and numbers', { input: ['a', 1] }, 'input', /input\[1\] must be a string/],
    ['an empty string among others', { input: ['a', ''] }, 'input', /input\[1\] must not be an empty string/],
    ['2,049 inputs', { input: Array.from({ length: 2049 }, () => 'a') }, 'input', /at most 2048/],
    ['a negative token id', { input: [101, -1, 102] }, 'input', /token id/],
    ['a token id past the vocabulary', { input: [101, 30522, 102] }, 'input', /0 to 30521/],
    ['257 token ids', { input: new Array(257).fill(1000) }, 'input', /at most 256/],
    ['an unknown model', { model: 'text-embedding-3-small' }, 'model', /does not exist/],
    ['no model', { model: undefined }, 'model', /model must be a string/],
    ['other dimensions', { dimensions: 128 }, 'dimensions', /384/],
    ['an unknown encoding', { encoding_format: 'hex' }, 'encoding_format', /'float' or 'base64'/],
  ];

  it.each(refusals)('answers %s with a 400 in OpenAI shape', async (_, change, param, message) => {
    const body = { model: MODEL, input: 'a sentence', ...change };
    const started = Date.now();
    const answer = await post(`${server.url}/v1/embeddings`, body);
    expect(answer.status).toBe(400);
    const { error } = JSON.parse(answer.body);
    expect(error).toEqual({ message: expect.stringMatching(message), type: 'invalid_request_error', param, code: param === 'model' && change.model ? 'model_not_found' : null });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('answers deeply nested arrays with a fast 400 in OpenAI shape', async () => {
    const depth = 100_000;
    const started = Date.now();
    const answer = await post(`${server.url}/v1/embeddings`, `{"model":"${MODEL}","input":${'['.repeat(depth)}${']'.repeat(depth)}}`);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error).toMatchObject({ type: 'invalid_request_error', param: 'input' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('answers a body that is not JSON, or is too large, in OpenAI shape too', async () => {
    const broken = await post(`${server.url}/v1/embeddings`, '{"model":');
    expect(broken.status).toBe(400);
    expect(JSON.parse(broken.body).error).toMatchObject({ type: 'invalid_request_error', message: expect.stringMatching(/JSON/) });
    const huge = await post(`${server.url}/v1/embeddings`, JSON.stringify({ model: MODEL, input: 'a'.repeat(2_000_000) }));
    expect(huge.status).toBe(413);
    expect(JSON.parse(huge.body).error).toMatchObject({ type: 'invalid_request_error', message: expect.stringMatching(/too large/) });
    // Other routes keep Nest's and mosec's own answers.
    expect(JSON.parse((await post(`${server.url}/nowhere`, '{')).body)).not.toHaveProperty('error.type');
  });

  it('gives the official client an error it understands', async () => {
    await expect(client.embeddings.create({ model: MODEL, input: '' })).rejects.toMatchObject({
      status: 400,
      type: 'invalid_request_error',
      param: 'input',
    });
    await expect(client.embeddings.create({ model: 'nope', input: 'x' })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });

  it('cuts a 1 MB text to 256 tokens quickly, and keeps serving others meanwhile', async () => {
    const huge = 'All work and no play makes a dull model. '.repeat(25_000).slice(0, 1_000_000);
    const started = Date.now();
    const [big, small] = await Promise.all([
      fetch(`${server.url}/v1/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: MODEL, input: huge }) }),
      client.embeddings.create({ model: MODEL, input: texts[1], encoding_format: 'float' }),
    ]);
    expect(big.status).toBe(200);
    expect(big.headers.get('x-truncated-inputs')).toBe('1');
    expect((await big.json()).usage.prompt_tokens).toBe(256);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(cosine(small.data[0].embedding, reference.cases[1].embedding)).toBeGreaterThan(0.9999);
  });

  it("serves mosec's own one-input route with the same vector", async () => {
    const answer = await post(`${server.url}/embed`, { text: texts[2] });
    expect(answer.status).toBe(200);
    const result = JSON.parse(answer.body);
    expect(result.tokens).toBe(reference.cases[2].ids.length);
    expect(cosine(result.embedding, reference.cases[2].embedding)).toBeGreaterThan(0.9999);
    expect((await post(`${server.url}/embed`, { ids: [1, 2, 99999] })).status).toBe(422);
  });
});
