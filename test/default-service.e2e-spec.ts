import sharp from 'sharp';
import { post, RunningServer, startService } from './support/server';

/** What `npm run start:prod` serves: OCR at /ocr, the MLP at /classify and embeddings at /v1/embeddings, side by side. */
describe('the default service (src/)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startService('src/main.js', {}, { readyTimeoutMs: 45_000 });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('reads the text of an image posted to /ocr', async () => {
    const image = await sharp({ text: { text: 'Total 2026', font: 'DejaVu Sans 28', dpi: 150 } })
      .extend({ top: 30, bottom: 30, left: 30, right: 30, background: 'white' })
      .flatten({ background: 'white' })
      .png()
      .toBuffer();
    const answer = await post(`${server.url}/ocr`, image, { 'content-type': 'image/png' });
    expect(answer.status).toBe(200);
    const { lines } = JSON.parse(answer.body);
    expect(lines.map((line: { text: string }) => line.text.replace(/\s+/g, ''))).toEqual(['Total2026']);
  });

  it('classifies features posted to /classify', async () => {
    const answer = await post(`${server.url}/classify`, { features: Array.from({ length: 16 }, (_, i) => i / 16) });
    expect(answer.status).toBe(200);
    const { label, probabilities } = JSON.parse(answer.body);
    expect(probabilities).toHaveLength(10);
    expect(probabilities.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 4);
    expect(label).toBe(probabilities.indexOf(Math.max(...probabilities)));
    expect((await post(`${server.url}/classify`, { features: [1, 2] })).status).toBe(422);
  });

  it('embeds text at OpenAI\'s /v1/embeddings', async () => {
    const answer = await post(`${server.url}/v1/embeddings`, { model: 'all-MiniLM-L6-v2', input: ['Hello, World!', 'Total 2026'] });
    expect(answer.status).toBe(200);
    const { data, usage } = JSON.parse(answer.body);
    expect(data.map((d: { embedding: number[] }) => d.embedding.length)).toEqual([384, 384]);
    expect(usage.prompt_tokens).toBeGreaterThan(4);
    expect((await post(`${server.url}/v1/embeddings`, { model: 'all-MiniLM-L6-v2', input: [] })).status).toBe(400);
  });
});
