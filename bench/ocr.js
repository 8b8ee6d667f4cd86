#!/usr/bin/env node
// The OCR example against RapidOCR behind Python mosec (bench/peers/rapidocr), on the same PNG pages
// of 1, 5 and 20 lines and the same PP-OCRv4 ONNX files: p50 latency at c=1, images/s at c=4, and the
// lines read exactly. Alternating rounds, each server started afresh.
//
//   bash bench/setup-ocr.sh && node bench/ocr.js     BENCH_ROUNDS (2), BENCH_DURATION (10 s per load), MOSEC_DIST
const { spawnSync } = require('node:child_process');
const { mkdtempSync, readFileSync, writeFileSync, mkdirSync, rmSync, existsSync } = require('node:fs');
const { loadavg, tmpdir } = require('node:os');
const { join } = require('node:path');
const { startServer, runBenchmark } = require('./lib/server-process');
const { median } = require('./lib/stats');
const { driveFetch } = require('./lib/fetch-load');
const { plainTable } = require('./lib/table');
const config = require('./lib/config');

const log = (message) => process.stderr.write(`${message}\n`);
const rounds = Math.round(Number(process.env.BENCH_ROUNDS ?? 2));
const duration = Number(process.env.BENCH_DURATION ?? 10);
const PEER = join(__dirname, 'peers', 'rapidocr');
const PYTHON = join(__dirname, '.venvs', 'rapidocr', 'bin', 'python');
const LINE_COUNTS = [1, 5, 20];

/** The text of a page: "Line i: invoice N total X EUR", i from 1. */
function pageLines(count) {
  return Array.from({ length: count }, (_, i) => `Line ${i + 1}: invoice ${1001 + i * 37} total ${((i + 1) * 63.49).toFixed(2)} EUR`);
}

/** The pages as PNG files, rendered by PIL (its default font at 28 px) in the reference's Python. */
function renderPages() {
  const folder = mkdtempSync(join(tmpdir(), 'bench-ocr-'));
  const pages = Object.fromEntries(LINE_COUNTS.map((count) => [`lines-${count}`, pageLines(count)]));
  const run = spawnSync(PYTHON, [join(PEER, 'pages.py'), folder], { input: JSON.stringify(pages), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`pages.py failed: ${run.stderr}`);
  const result = LINE_COUNTS.map((count) => ({ count, lines: pageLines(count), png: readFileSync(join(folder, `lines-${count}.png`)) }));
  rmSync(folder, { recursive: true, force: true });
  return result;
}

const compact = (text) => text.replace(/\s+/g, '');

/**
 * How many of the expected lines the answer holds exactly (whitespace aside: the general recognizer
 * often drops spaces). Boxes on one row are joined first, in reading order: a detector may cut a
 * line at a wide gap.
 */
function linesReadExactly(answer, expected) {
  const rows = [];
  for (const line of answer) {
    const ys = line.box.map(([, y]) => y);
    const top = Math.min(...ys);
    const bottom = Math.max(...ys);
    const row = rows[rows.length - 1];
    if (row && (top + bottom) / 2 > row.top && (top + bottom) / 2 < row.bottom) row.text += line.text;
    else rows.push({ top, bottom, text: line.text });
  }
  const unread = rows.map((row) => compact(row.text));
  let exact = 0;
  for (const text of expected.map(compact)) {
    const at = unread.indexOf(text);
    if (at < 0) continue;
    unread.splice(at, 1);
    exact++;
  }
  return exact;
}

async function post(url, png) {
  const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'image/png' }, body: png });
  const body = await answer.text();
  return { status: answer.status, body };
}

/** `connections` clients posting `png` back to back for `seconds`: images/s and p50 latency. */
function drive(url, png, connections, seconds) {
  return driveFetch(url, { body: png, headers: { 'content-type': 'image/png' } }, connections, seconds);
}

const SERVERS = [
  { key: 'ours', name: 'ours (examples/ocr)', command: process.execPath, args: () => [join(config.DIST, 'examples', 'ocr', 'main.js')] },
  { key: 'ref', name: 'RapidOCR + mosec', command: PYTHON, args: () => [join(PEER, 'server.py')] },
];

async function measure(server, pages) {
  const running = await startServer({
    name: server.name,
    command: server.command,
    args: server.args(),
    env: { MOSEC_TIMEOUT: '60000' },
    probe: { path: '/inference', body: '{}', anyStatus: true },
    readyTimeoutMs: 120_000,
  });
  try {
    const url = `${running.url}/inference`;
    const results = {};
    for (const page of pages) {
      const first = await post(url, page.png);
      if (first.status !== 200) throw new Error(`${server.name} answered ${first.status} on the ${page.count}-line page: ${first.body}`);
      const exact = linesReadExactly(JSON.parse(first.body).lines, page.lines);
      await drive(url, page.png, 1, 2); // warm-up
      const c1 = await drive(url, page.png, 1, duration);
      const c4 = await drive(url, page.png, 4, duration);
      results[page.count] = { exact, p50: c1.p50, rps1: c1.rps, rps4: c4.rps, failed: c1.failed + c4.failed };
      log(`  ${server.key} ${page.count} line(s): ${exact}/${page.count} exact, c=1 p50 ${c1.p50?.toFixed(0)} ms, c=4 ${c4.rps.toFixed(2)} images/s, ${c1.failed + c4.failed} failed`);
    }
    return results;
  } finally {
    await running.stop();
  }
}

async function main() {
  if (!existsSync(PYTHON)) throw new Error(`no reference venv at ${PYTHON}: run bash bench/setup-ocr.sh`);
  const pages = renderPages();
  const loadBefore = loadavg()[0];
  const runs = { ours: [], ref: [] };
  for (let round = 0; round < rounds; round++) {
    for (const server of round % 2 === 0 ? SERVERS : [...SERVERS].reverse()) {
      log(`round ${round + 1}: ${server.name}`);
      runs[server.key].push(await measure(server, pages));
    }
  }
  const of = (key, count, pick) => median(runs[key].map((run) => pick(run[count])));
  const ratio = (key, count, pick, invert) => {
    const values = runs.ours.map((ours, i) => (invert ? pick(runs.ref[i][count]) / pick(ours[count]) : pick(ours[count]) / pick(runs.ref[i][count])));
    return median(values);
  };
  const rows = LINE_COUNTS.map((count) => [
    String(count),
    `${of('ours', count, (r) => r.p50).toFixed(0)} / ${of('ref', count, (r) => r.p50).toFixed(0)}`,
    `${ratio('ours', count, (r) => r.p50, true).toFixed(2)}x`,
    `${of('ours', count, (r) => r.rps4).toFixed(2)} / ${of('ref', count, (r) => r.rps4).toFixed(2)}`,
    `${ratio('ours', count, (r) => r.rps4, false).toFixed(2)}x`,
    `${Math.min(...runs.ours.map((run) => run[count].exact))}/${count} / ${Math.min(...runs.ref.map((run) => run[count].exact))}/${count}`,
  ]);
  const table = plainTable(
    ['lines', 'p50 ms c=1, ours / RapidOCR', 'p50 speed-up', 'images/s c=4, ours / RapidOCR', 'images/s ratio', 'lines read exactly, ours / RapidOCR'],
    rows,
  );
  const header =
    `OCR, ours against RapidOCR (rapidocr-onnxruntime behind Python mosec, one worker), ${new Date().toISOString().slice(0, 10)}: ` +
    `the same PNG pages and PP-OCRv4 ONNX files; medians of ${rounds} alternating round(s) x ${duration} s per load, ratios per round; ` +
    `lines read exactly: the worse round. Node ${process.version}; load average ${loadBefore.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after.`;
  console.log(`${header}\n\n${table}`);
  if (process.env.BENCH_WRITE !== '0') {
    mkdirSync(join(config.ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(join(config.ROOT, 'bench', 'results', 'ocr.md'), `${header}\n\n${table}\n`);
    const exactly = (key, count) => Math.min(...runs[key].map((run) => run[count].exact));
    const summary = LINE_COUNTS.map((count) => ({
      lines: count,
      ours: { p50: of('ours', count, (r) => r.p50), rps4: of('ours', count, (r) => r.rps4), exact: exactly('ours', count) },
      ref: { p50: of('ref', count, (r) => r.p50), rps4: of('ref', count, (r) => r.rps4), exact: exactly('ref', count) },
      rps4Ratio: ratio('ours', count, (r) => r.rps4, false),
    }));
    writeFileSync(join(config.ROOT, 'bench', 'results', 'ocr.json'), JSON.stringify({ rounds, duration, pages: summary, runs }, null, 2) + '\n');
  }
}

runBenchmark(main);
