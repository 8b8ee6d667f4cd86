/**
 * Sends images to the OCR service and prints the lines it read, or keeps it busy for a while.
 *
 *   node dist/examples/ocr/client.js photo.jpg scan.png
 *   node dist/examples/ocr/client.js                         # renders a sample page and sends it
 *   node dist/examples/ocr/client.js --load 8 15 [image]     # 8 clients for 15 s: req/s and latency
 *
 * OCR_URL overrides the address (default http://127.0.0.1:8000/inference; the default service in src/ serves the same pipeline at /ocr).
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import sharp from 'sharp';
import type { OcrResponse } from './ocr.types';

const URL = process.env.OCR_URL ?? 'http://127.0.0.1:8000/inference';
const TYPES: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg' };

interface Image {
  bytes: Uint8Array<ArrayBuffer>;
  type: string;
}

/** A page of black-on-white text rendered with Pango. */
async function samplePage(): Promise<Image> {
  const lines = ['Model serving with NestJS', 'Invoice 2024-117 total 48.90', 'Batching across requests'];
  const markup = `<span foreground="black">${lines.join('\n')}</span>`;
  const text = await sharp({ text: { text: markup, font: 'DejaVu Sans 32', rgba: true, dpi: 72, spacing: 20 } }).png().toBuffer();
  const page = await sharp(text).extend({ top: 40, bottom: 40, left: 40, right: 40, background: '#ffffff' }).flatten({ background: '#ffffff' }).png().toBuffer();
  return { bytes: new Uint8Array(page), type: 'image/png' };
}

async function loadImage(file: string | undefined): Promise<Image> {
  if (!file) return samplePage();
  return { bytes: new Uint8Array(await readFile(file)), type: TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream' };
}

function send(image: Image): Promise<Response> {
  return fetch(URL, { method: 'POST', headers: { 'content-type': image.type }, body: image.bytes });
}

async function recognize(image: Image): Promise<void> {
  const began = performance.now();
  const response = await send(image);
  const elapsed = Math.round(performance.now() - began);
  if (!response.ok) {
    console.log(`${response.status} ${await response.text()} (${elapsed} ms)`);
    return;
  }
  const { lines } = (await response.json()) as OcrResponse;
  console.log(`${lines.length} line(s) in ${elapsed} ms`);
  for (const line of lines) console.log(`  ${line.confidence.toFixed(3)}  ${JSON.stringify(line.text)}  ${JSON.stringify(line.box)}`);
}

/** `clients` loops, each sending the image again as soon as its answer is in, for `seconds`. */
async function load(image: Image, clients: number, seconds: number): Promise<void> {
  const latencies: number[] = [];
  let failed = 0;
  const end = performance.now() + seconds * 1000;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) {
        const start = performance.now();
        const response = await send(image);
        await response.arrayBuffer();
        if (response.ok) latencies.push(performance.now() - start);
        else failed++;
      }
    }),
  );
  const elapsed = (performance.now() - began) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN);
  console.log(
    `${clients} clients, ${elapsed.toFixed(1)} s: ${latencies.length} ok, ${failed} failed, ` +
      `${(latencies.length / elapsed).toFixed(2)} req/s, latency p50 ${at(0.5)} ms, p95 ${at(0.95)} ms`,
  );
}

async function main(args: string[]): Promise<void> {
  if (args[0] === '--load') {
    const [, clients = '8', seconds = '15', file] = args;
    return load(await loadImage(file), Number(clients), Number(seconds));
  }
  if (args.length === 0) return recognize(await samplePage());
  for (const file of args) {
    console.log(file);
    await recognize(await loadImage(file));
  }
}

main(process.argv.slice(2)).catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
