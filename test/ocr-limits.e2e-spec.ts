import sharp from 'sharp';
import { rss, stagePids } from './support/load';
import { post, RunningServer, startService } from './support/server';

/**
 * The OCR example's bounds on huge images: more pixels than OCR_MAX_INPUT_PIXELS are refused from
 * the header, and an image it takes is scaled down as it is decoded, so that the stages pass on and
 * hold only the scaled image (the full size is `npm run attack`).
 */
jest.setTimeout(90_000);

const MiB = 2 ** 20;

/** A white page of `width` x `height` with two lines of large text at (200, 200). */
async function page(width: number, height: number): Promise<Buffer> {
  const text = await sharp({ text: { text: '<span foreground="black">Hello World 2024\nQuick brown fox 17</span>', font: 'DejaVu Sans 200', rgba: true, dpi: 72 } })
    .png()
    .toBuffer();
  return sharp({ create: { width, height, channels: 3, background: '#ffffff' } })
    .composite([{ input: text, top: 200, left: 200 }])
    .png()
    .toBuffer();
}

describe('OCR example: huge images', () => {
  let server: RunningServer;
  let url: string;

  beforeAll(async () => {
    server = await startService('examples/ocr/main.js', { MOSEC_TIMEOUT: '30000' }, { readyTimeoutMs: 60_000 });
    url = `${server.url}/inference`;
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('refuses more than OCR_MAX_INPUT_PIXELS from the header, naming the limit', async () => {
    const began = Date.now();
    const answer = await post(url, await page(6400, 6400), { 'content-type': 'image/png' });
    expect(answer.status).toBe(422);
    expect(answer.body).toContain('the image has 6400x6400 pixels, more than the 40000000 this service reads (OCR_MAX_INPUT_PIXELS)');
    expect(Date.now() - began).toBeLessThan(10_000);
  });

  it('reads a 40 MP page from its scaled-down copy, boxes in the page pixels, and the workers stay small', async () => {
    const answer = await post(url, await page(8000, 5000), { 'content-type': 'image/png' });
    expect(answer.status).toBe(200);
    const lines: Array<{ text: string; box: number[][] }> = JSON.parse(answer.body).lines;
    expect(lines.map((line) => line.text.replace(/\s+/g, ''))).toEqual(['HelloWorld2024', 'Quickbrownfox17']);
    // The text starts at x = 200 of the 8000-pixel page, though it was read at half that scale.
    expect(lines[0].box[0][0]).toBeGreaterThan(150);
    expect(lines[0].box[0][0]).toBeLessThan(250);
    // Each stage that held the image peaked well under 1 GiB; all three held 1,060 MiB when the
    // whole 120 MB of pixels went from stage to stage (about 660 MiB scaled down).
    const peaks = ['Decode', 'Detect', 'Classify'].map((stage) => rss([...stagePids(server, stage).values()][0], 'VmHWM') / MiB);
    for (const peak of peaks) expect(peak).toBeLessThan(1024);
    expect(peaks.reduce((sum, peak) => sum + peak, 0)).toBeLessThan(850);
  });
});
