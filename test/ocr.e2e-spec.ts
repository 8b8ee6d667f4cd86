import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { post, RunningServer, startService } from './support/server';

/**
 * The OCR example end to end: real PP-OCRv4 models in the stage workers, images rendered here
 * with Pango (DejaVu fonts), black on white.
 */
jest.setTimeout(60_000);

interface OcrLine {
  text: string;
  confidence: number;
  box: number[][];
}

const PAGE = ['Hello World 2024', 'Quick brown fox 17', 'Model serving 365', 'Batch size 16'];
const FONTS = ['DejaVu Sans 32', 'DejaVu Serif 36', 'DejaVu Serif Bold 30', 'DejaVu Sans 40'];

/** Text lines as a PNG: black on white, a margin around, optionally rotated (white corners). */
async function renderLines(lines: string[], font: string, angle = 0): Promise<Buffer> {
  const markup = `<span foreground="black">${lines.join('\n')}</span>`;
  const text = await sharp({ text: { text: markup, font, rgba: true, dpi: 72, spacing: 20 } }).png().toBuffer();
  const page = await sharp(text)
    .extend({ top: 40, bottom: 40, left: 40, right: 40, background: '#ffffff' })
    .flatten({ background: '#ffffff' })
    .png()
    .toBuffer();
  return angle ? sharp(page).rotate(angle, { background: '#ffffff' }).png().toBuffer() : page;
}

/**
 * The general (Chinese/English) PP-OCRv4 recognizer often drops the space between English words
 * (PaddleOCR#11386): texts are compared without whitespace; every other character must match.
 */
const compact = (text: string) => text.replace(/\s+/g, '');

describe('OCR example (PP-OCRv4 through onnxruntime-node)', () => {
  let server: RunningServer;
  let url: string;

  beforeAll(async () => {
    server = await startService('examples/ocr/main.js', {}, { readyTimeoutMs: 45_000 });
    url = `${server.url}/inference`;
  });

  afterAll(async () => {
    await server?.stop();
  });

  async function ocr(image: Buffer, type = 'image/png'): Promise<OcrLine[]> {
    const answer = await post(url, image, { 'content-type': type });
    expect(answer.status).toBe(200);
    return JSON.parse(answer.body).lines;
  }

  it.each(FONTS)('reads every line of a page in %s, top to bottom', async (font) => {
    const image = await renderLines(PAGE, font);
    const { width, height } = await sharp(image).metadata();
    const lines = await ocr(image);
    expect(lines.map((line) => compact(line.text))).toEqual(PAGE.map(compact));
    for (const line of lines) {
      expect(line.confidence).toBeGreaterThan(0.8);
      expect(line.confidence).toBeLessThanOrEqual(1);
      expect(line.box).toHaveLength(4);
      for (const [x, y] of line.box) {
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThan(width!);
        expect(y).toBeGreaterThanOrEqual(0);
        expect(y).toBeLessThan(height!);
      }
    }
    const tops = lines.map((line) => Math.min(...line.box.map(([, y]) => y)));
    expect([...tops].sort((a, b) => a - b)).toEqual(tops);
  });

  /**
   * An invoice page in PIL's default font at 28 px, the page bench/ocr.js compares with RapidOCR
   * (fixtures/ocr/invoice-5-lines.png, rendered by bench/peers/rapidocr/pages.py). Its 7s and 0s
   * read as "/" and "o" from boxes a pixel too tight, so this checks the detector's boxes too.
   */
  it('reads every line of an invoice page exactly', async () => {
    const expected = Array.from({ length: 5 }, (_, i) => `Line ${i + 1}: invoice ${1001 + i * 37} total ${((i + 1) * 63.49).toFixed(2)} EUR`);
    const lines = await ocr(readFileSync(join(__dirname, 'fixtures', 'ocr', 'invoice-5-lines.png')));
    expect(lines.map((line) => compact(line.text))).toEqual(expected.map(compact));
  });

  it('reads a JPEG as well as a PNG', async () => {
    const jpeg = await sharp(await renderLines(PAGE, FONTS[0])).jpeg({ quality: 90 }).toBuffer();
    const lines = await ocr(jpeg, 'image/jpeg');
    expect(lines.map((line) => compact(line.text))).toEqual(PAGE.map(compact));
  });

  it('turns the lines of an upside-down page and keeps its reading order', async () => {
    const lines = await ocr(await renderLines(PAGE, 'DejaVu Sans 36', 180));
    expect(lines.map((line) => compact(line.text))).toEqual(PAGE.map(compact));
  });

  it('reads slightly rotated text', async () => {
    for (const angle of [5, -4]) {
      const lines = await ocr(await renderLines(PAGE, 'DejaVu Serif 36', angle));
      expect(lines.map((line) => compact(line.text))).toEqual(PAGE.map(compact));
    }
  });

  it('orders two lines on one row left to right', async () => {
    const [left, right] = await Promise.all([renderLines(['Left 12'], 'DejaVu Sans 36'), renderLines(['Right 34'], 'DejaVu Sans 36')]);
    const leftWidth = (await sharp(left).metadata()).width!;
    const canvas = await sharp({ create: { width: leftWidth + 300, height: 130, channels: 3, background: '#ffffff' } })
      .composite([
        { input: right, left: leftWidth + 60, top: 0 },
        { input: left, left: 0, top: 4 },
      ])
      .png()
      .toBuffer();
    const lines = await ocr(canvas, 'application/octet-stream');
    expect(lines.map((line) => compact(line.text))).toEqual(['Left12', 'Right34']);
  });

  it('answers concurrent requests each with its own lines (recognize pools lines across requests)', async () => {
    const pages = [
      ['Alpha 101', 'Beta 202'],
      ['Gamma 303'],
      ['Delta 404', 'Epsilon 505', 'Zeta 606'],
      ['Theta 707', 'Iota 808'],
      ['Kappa 471'],
      ['Lambda 111', 'Mu 222', 'Nu 333'],
    ];
    const images = await Promise.all(pages.map((page, i) => renderLines(page, FONTS[i % 2])));
    const results = await Promise.all(images.map((image) => ocr(image)));
    results.forEach((lines, i) => expect(lines.map((line) => compact(line.text))).toEqual(pages[i].map(compact)));
  });

  it('finds no lines on a blank image', async () => {
    const blank = await sharp({ create: { width: 320, height: 200, channels: 3, background: '#ffffff' } }).png().toBuffer();
    expect(await ocr(blank)).toEqual([]);
  });

  it('refuses bytes that are not an image with 422', async () => {
    const answer = await post(url, Buffer.from('certainly not a PNG'), { 'content-type': 'image/png' });
    expect(answer.status).toBe(422);
    expect(answer.body).toMatch(/^request validation error: not a decodable image/);
  });

  it('refuses a truncated PNG with 422', async () => {
    const image = await renderLines(PAGE, FONTS[0]);
    const answer = await post(url, image.subarray(0, image.length >> 1), { 'content-type': 'image/png' });
    expect(answer.status).toBe(422);
  });

  it('refuses a JSON body with 422', async () => {
    const answer = await post(url, { image: 'hello' });
    expect(answer.status).toBe(422);
    expect(answer.body).toMatch(/image bytes/);
  });
});
