import { join } from 'node:path';
import { reference } from '../../../../test/support/embedding-reference';
import { readModelDirectory } from './model-directory';
import { TextTokenizer } from './text-tokenizer';

// all-MiniLM-L6-v2, which `npm ci` fetches into models/ (or $MOSEC_MODELS_DIR).
const model = readModelDirectory(join(process.env.MOSEC_MODELS_DIR ?? join(__dirname, '../../../../models'), 'all-MiniLM-L6-v2'), 'run `npm run fetch-models`');
const tokenizer = TextTokenizer.load(model);
const CLS = 101;
const SEP = 102;

describe('TextTokenizer (all-MiniLM-L6-v2)', () => {
  it('reads the model directory as sentence-transformers does', () => {
    expect(model).toMatchObject({ maxTokens: 256, dimensions: 384, vocabSize: 30522, pooling: 'mean', normalize: true });
  });

  it.each(reference.cases.map((c) => [c.text.slice(0, 40), c] as const))('makes the token ids Python tokenizers makes: %s', (_, c) => {
    expect(tokenizer.encode(c.text).ids).toEqual(c.ids);
  });

  it('truncates a long text to 256 tokens, keeping [CLS] first and [SEP] last, and says so', () => {
    const long = reference.cases.find((c) => c.ids.length === 256)!;
    const encoded = tokenizer.encode(long.text);
    expect(encoded.truncated).toBe(true);
    expect(encoded.ids).toHaveLength(256);
    expect([encoded.ids[0], encoded.ids[255]]).toEqual([CLS, SEP]);
    expect(tokenizer.encode('short').truncated).toBe(false);
  });

  it('cuts a huge text from a prefix with the same tokens as the whole, and fast', () => {
    const words = Array.from({ length: 200_000 }, (_, i) => `word${i % 97} café,`).join(' ');
    const started = performance.now();
    const fast = tokenizer.encode(words);
    expect(performance.now() - started).toBeLessThan(500);
    const whole = tokenizer.encode(words.slice(0, 20_000));
    expect(fast.ids).toEqual(whole.ids);
  });

  it('tokenizes the whole text when its prefix does not fill the model (a long run of spaces)', () => {
    const text = `first${' '.repeat(10_000)}last`;
    expect(tokenizer.encode(text).ids).toEqual([CLS, ...tokenizer.encode('first last').ids.slice(1, -1), SEP]);
  });
});
