import { join } from 'node:path';
import { reference as fixture } from './support/embedding-reference';
import { DIST, RunningServer, startService } from './support/server';

// The embedding benchmark's own parts (bench/lib): its sentences and its comparison with a reference.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { benchSentences, LONE_SENTENCE } = require('../bench/lib/sentences');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { compareWithReference } = require('../bench/lib/embedding-accuracy');

const body = (text: string) => JSON.stringify({ input: text, model: 'all-MiniLM-L6-v2' });

describe('embedding benchmark: sentences', () => {
  const sentences: string[] = benchSentences();

  it('are 300, the same on every run, of 1 to 240 words, with non-ASCII text', () => {
    expect(sentences).toHaveLength(300);
    expect(benchSentences()).toEqual(sentences);
    const words = sentences.map((sentence) => sentence.split(' ').length);
    expect(Math.min(...words)).toBe(1);
    expect(Math.max(...words)).toBeLessThanOrEqual(240);
    expect(words.filter((count) => count >= 60).length).toBeGreaterThan(20);
    expect(sentences.filter((sentence) => /[^\x00-\x7f]/.test(sentence)).length).toBeGreaterThan(100);
    expect(LONE_SENTENCE.split(' ')).toHaveLength(10);
  });

  it("hold a few past the model's 256 tokens, which it truncates", () => {
    const { readModelDirectory, TextTokenizer } = require(join(DIST, 'libs', 'mosec', 'src', 'transformers', 'index.js'));
    const tokenizer = TextTokenizer.load(readModelDirectory(join(__dirname, '..', 'models', 'all-MiniLM-L6-v2')));
    const truncated = sentences.filter((sentence) => tokenizer.encode(sentence).truncated);
    expect(truncated.length).toBeGreaterThanOrEqual(5);
    expect(truncated.length).toBeLessThanOrEqual(10);
  });
});

describe('embedding benchmark: comparison with the reference (embedding example)', () => {
  let server: RunningServer;
  let url: string;
  const texts = fixture.cases.map((item) => item.text);
  const reference = { vectors: fixture.cases.map((item) => item.embedding), tokens: fixture.cases.map((item) => item.ids.length) };

  beforeAll(async () => {
    server = await startService('examples/embedding/main.js', {}, { readyTimeoutMs: 60_000 });
    url = `${server.url}/v1/embeddings`;
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("finds the example's vectors and token counts equal to the reference's", async () => {
    const result = await compareWithReference(url, texts, reference, body);
    expect(result.mismatches).toEqual([]);
    expect(result.minCosine).toBeGreaterThanOrEqual(0.999);
    expect(result.tokensEqual).toBe(texts.length);
  });

  it('reports each text whose vector or token count differs', async () => {
    // Each text against the next one's reference: every vector and most counts differ.
    const shifted = { vectors: [...reference.vectors.slice(1), reference.vectors[0]], tokens: [...reference.tokens.slice(1), reference.tokens[0]] };
    const result = await compareWithReference(url, texts, shifted, body);
    expect(result.minCosine).toBeLessThan(0.9);
    expect(result.mismatches.map((miss: { index: number }) => miss.index)).toEqual(texts.map((_, index) => index));
    expect(result.tokensEqual).toBeLessThan(texts.length);
  });
});
