import sharp from 'sharp';
import { post, RunningServer, startService } from './support/server';

/** What `npm run start:prod` serves: OCR at /ocr, the MLP at /classify, embeddings at /v1/embeddings and chat at /v1/chat/completions, side by side. */
describe('the default service (src/)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startService('src/main.js', {}, { readyTimeoutMs: 90_000 });
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

  it("answers a chat at OpenAI's /v1/chat/completions, and lists both models", async () => {
    const messages = [{ role: 'user', content: 'What is the capital of France?' }];
    const answer = await post(`${server.url}/v1/chat/completions`, { model: 'SmolLM2-135M-Instruct', messages, max_tokens: 8, temperature: 0 });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).choices[0].message.content).toMatch(/Paris/);
    const models = JSON.parse((await fetch(`${server.url}/v1/models`).then((r) => r.text())));
    expect(models.data.map((model: { id: string }) => model.id).sort()).toEqual(['SmolLM2-135M-Instruct', 'all-MiniLM-L6-v2']);
  });
});
