#!/usr/bin/env node
/**
 * Soak test of examples/echo: measures its saturation rate (a short wrk run, autocannon without wrk),
 * then sends half that rate for SOAK_MINUTES (default 10), sampling every SOAK_SAMPLE_SECONDS (10)
 * the resident memory of every process of the service and its `remaining_task`. Writes
 * bench/results/soak/soak.csv, soak.svg and soak.txt (the summary), prints the growth after warm-up, and exits 1 when memory
 * grew more than 10% (or a request failed, or tasks were left in the service).
 *
 *   npm run build && node scripts/soak.js                # 10 minutes
 *   SOAK_MINUTES=2 node scripts/soak.js                  # a quick check
 *   MOSEC_DIST=<dir> ...                                 # a build in another folder than dist/
 *
 * Loopback only; the service and the load generator are stopped at the end, whatever happens.
 */
const { execFileSync, spawn } = require('node:child_process');
const { existsSync, mkdirSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, relative } = require('node:path');
const autocannon = require('autocannon');
const { childPids, rssMiB } = require('../bench/lib/memory');
const { freePort } = require('../bench/lib/server-process');
const { median } = require('../bench/lib/stats');

const ROOT = join(__dirname, '..');
const DIST = join(ROOT, process.env.MOSEC_DIST || 'dist');
const ENTRY = join(DIST, 'examples', 'echo', 'main.js');
const OUT = join(ROOT, 'bench', 'results', 'soak');
const MINUTES = Number(process.env.SOAK_MINUTES || 10);
const SAMPLE_MS = Number(process.env.SOAK_SAMPLE_SECONDS || 10) * 1000;
const SATURATION_SECONDS = Number(process.env.SOAK_SATURATION_SECONDS || 10);
const CONNECTIONS = 64;
const MAX_GROWTH = 0.1;
/** Memory before this is warm-up (heaps grow to their working size): max(30 s, a fifth of the run). */
const WARM_UP_MS = Math.max(30_000, (MINUTES * 60_000) / 5);
const BODY = JSON.stringify({ time: 0 });

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function startService() {
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} not found: run \`npm run build\` first (or set MOSEC_DIST)`);
  const port = await freePort();
  const logs = [];
  const proc = spawn(process.execPath, [ENTRY], {
    env: { ...process.env, MOSEC_PORT: String(port), MOSEC_ADDRESS: '127.0.0.1', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout.on('data', (chunk) => logs.push(chunk.toString()));
  proc.stderr.on('data', (chunk) => logs.push(chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`service exited (${proc.exitCode}):\n${logs.join('')}`);
    const status = await fetch(`${url}/`).then((r) => r.status, () => 0);
    if (status === 200) break;
    if (Date.now() > deadline) throw new Error(`service not ready:\n${logs.join('')}`);
    await sleep(100);
  }
  return { proc, url, logs: () => logs.join('') };
}

/** Worker label of each pid the service spawned (`Inference#1`), from its log. */
function workerLabels(service) {
  const labels = new Map();
  for (const [, label, pid] of service.logs().matchAll(/(\w+#\d+) spawned \(pid (\d+)\)/g)) labels.set(Number(pid), label);
  return labels;
}

/** `remaining_task` and the HTTP process's V8 heap in use (MB), from /metrics. */
async function scrape(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
  return { remaining: value('mosec_service_remaining_task'), heapMb: value('nodejs_heap_size_used_bytes') / 1048576 };
}

function which(command) {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`]).toString().trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Requests per second the service sustains with CONNECTIONS clients and no rate limit. */
async function measureSaturation(url) {
  const wrk = which('wrk');
  if (wrk) {
    const script = join(tmpdir(), `soak-post-${process.pid}.lua`);
    writeFileSync(script, `wrk.method = "POST"\nwrk.body = '${BODY}'\nwrk.headers["Content-Type"] = "application/json"\n`);
    let out;
    try {
      out = execFileSync(wrk, ['-t2', `-c${CONNECTIONS}`, `-d${SATURATION_SECONDS}s`, '-s', script, `${url}/inference`]).toString();
    } finally {
      rmSync(script, { force: true });
    }
    const rate = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
    const failed = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
    return { tool: 'wrk', rate, failed };
  }
  const result = await autocannon({
    url: `${url}/inference`,
    method: 'POST',
    body: BODY,
    headers: { 'content-type': 'application/json' },
    connections: CONNECTIONS,
    duration: SATURATION_SECONDS,
  });
  return { tool: 'autocannon', rate: result.requests.average, failed: result.non2xx + result.errors };
}

/**
 * Growth from the first third of the samples after warm-up to the last third, median against
 * median: a garbage-collected heap swings by tens of percent between two samples, a leak moves the
 * whole band up.
 */
function growth(samples, valueOf) {
  const after = samples.filter((s) => s.underLoad && s.elapsedMs >= WARM_UP_MS && valueOf(s) !== undefined);
  if (after.length < 3) return undefined;
  const third = Math.floor(after.length / 3);
  const first = median(after.slice(0, third).map(valueOf));
  const last = median(after.slice(-third).map(valueOf));
  return { first, last, growth: (last - first) / first };
}

function writeCsv(file, samples, keys) {
  const header = ['elapsed_s', 'under_load', 'remaining_task', 'server_heap_used_mb', ...keys.map((k) => `${k}_rss_mb`)].join(',');
  const rows = samples.map((s) =>
    [
      (s.elapsedMs / 1000).toFixed(1),
      s.underLoad ? 1 : 0,
      s.remaining,
      s.heapMb.toFixed(1),
      ...keys.map((k) => (s.rss[k] === undefined ? '' : s.rss[k].toFixed(1))),
    ].join(','),
  );
  writeFileSync(file, `${header}\n${rows.join('\n')}\n`);
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

function escapeXml(text) {
  return String(text).replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]);
}

/** A round number at least `value` (a power of ten times 1, 1.2 ... 8), so the quarter ticks are round too. */
function niceCeil(value) {
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6, 8, 10].map((m) => m * power).find((v) => v >= value);
}

/** A line chart of `series` (name → [x, y][]) in the box at (left, top, width, height). */
function chart({ left, top, width, height, title, yLabel, xMax, series }) {
  const ys = series.flatMap((s) => s.points.map(([, y]) => y));
  const yMax = niceCeil(Math.max(1, ...ys) * 1.05);
  const x = (v) => left + (v / xMax) * width;
  const y = (v) => top + height - (v / yMax) * height;
  const parts = [`<text x="${left}" y="${top - 10}" font-size="14" font-weight="bold">${escapeXml(title)}</text>`];
  parts.push(`<rect x="${left}" y="${top}" width="${width}" height="${height}" fill="none" stroke="#888"/>`);
  for (let i = 0; i <= 4; i++) {
    const v = (yMax / 4) * i;
    parts.push(`<line x1="${left}" x2="${left + width}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/>`);
    parts.push(`<text x="${left - 6}" y="${y(v) + 4}" font-size="11" text-anchor="end">${v.toFixed(v < 10 ? 1 : 0)}</text>`);
  }
  for (let i = 0; i <= 5; i++) {
    const v = (xMax / 5) * i;
    parts.push(`<text x="${x(v)}" y="${top + height + 16}" font-size="11" text-anchor="middle">${Math.round(v)}</text>`);
  }
  parts.push(`<text x="${left + width / 2}" y="${top + height + 32}" font-size="12" text-anchor="middle">seconds</text>`);
  parts.push(`<text x="${left - 44}" y="${top + height / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 ${left - 44} ${top + height / 2})">${escapeXml(yLabel)}</text>`);
  const warm = x(Math.min(WARM_UP_MS / 1000, xMax));
  parts.push(`<line x1="${warm}" x2="${warm}" y1="${top}" y2="${top + height}" stroke="#999" stroke-dasharray="4 4"/>`);
  parts.push(`<text x="${warm + 4}" y="${top + 12}" font-size="10" fill="#666">end of warm-up</text>`);
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const points = s.points.map(([px, py]) => `${x(px).toFixed(1)},${y(py).toFixed(1)}`).join(' ');
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${points}"/>`);
    const ly = top + 16 + i * 15;
    parts.push(`<line x1="${left + width + 12}" x2="${left + width + 30}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="2"/>`);
    parts.push(`<text x="${left + width + 34}" y="${ly}" font-size="11">${escapeXml(s.name)}</text>`);
  });
  return parts.join('\n');
}

function writeSvg(file, samples, keys, subtitle) {
  const xMax = Math.max(1, ...samples.map((s) => s.elapsedMs / 1000));
  const rssSeries = keys.map((key) => ({
    name: key,
    points: samples.filter((s) => s.rss[key] !== undefined).map((s) => [s.elapsedMs / 1000, s.rss[key]]),
  }));
  const taskSeries = [{ name: 'remaining_task', points: samples.map((s) => [s.elapsedMs / 1000, s.remaining]) }];
  const svg = [
    '<svg xmlns="http://www.w3.org/2000/svg" width="900" height="620" font-family="sans-serif">',
    '<rect width="100%" height="100%" fill="white"/>',
    `<text x="70" y="24" font-size="16" font-weight="bold">Soak: examples/echo</text>`,
    `<text x="70" y="42" font-size="12" fill="#444">${escapeXml(subtitle)}</text>`,
    chart({ left: 70, top: 80, width: 640, height: 300, title: 'Resident memory per process', yLabel: 'MB', xMax, series: rssSeries }),
    chart({ left: 70, top: 450, width: 640, height: 110, title: 'Tasks in the service', yLabel: 'remaining_task', xMax, series: taskSeries }),
    '</svg>',
  ].join('\n');
  writeFileSync(file, svg);
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const service = await startService();
  let cannon;
  try {
    const saturation = await measureSaturation(service.url);
    const rate = Math.max(1, Math.round(saturation.rate / 2));
    const saturationLine = `saturation (${saturation.tool}, ${CONNECTIONS} connections, ${SATURATION_SECONDS} s): ${saturation.rate.toFixed(0)} req/s; soak at ${rate} req/s for ${MINUTES} min`;
    console.log(saturationLine);
    await sleep(2000);

    const labels = workerLabels(service);
    const server = service.proc.pid;
    const began = Date.now();
    const samples = [];
    let underLoad = false;
    const sample = async () => {
      const rss = { server: rssMiB(server) };
      for (const pid of childPids(server)) {
        const label = workerLabels(service).get(pid) ?? `pid${pid}`;
        labels.set(pid, label);
        rss[label] = rssMiB(pid);
      }
      rss.total = Object.values(rss).reduce((sum, v) => sum + (v ?? 0), 0);
      const { remaining, heapMb } = await scrape(service.url);
      samples.push({ elapsedMs: Date.now() - began, underLoad, rss, remaining, heapMb });
      const s = samples[samples.length - 1];
      console.log(
        `${(s.elapsedMs / 1000).toFixed(0).padStart(5)} s  rss total ${rss.total.toFixed(1)} MB (server ${rss.server.toFixed(1)}, heap used ${heapMb.toFixed(1)})  remaining_task ${remaining}`,
      );
    };

    await sample();
    cannon = autocannon({
      url: `${service.url}/inference`,
      method: 'POST',
      body: BODY,
      headers: { 'content-type': 'application/json' },
      connections: CONNECTIONS,
      overallRate: rate,
      duration: MINUTES * 60,
    });
    underLoad = true;
    const done = new Promise((resolve) => cannon.once('done', resolve));
    const sampler = setInterval(() => void sample(), SAMPLE_MS);
    const result = await done;
    clearInterval(sampler);
    underLoad = false;
    // The task table drains once the load stops.
    const drainedBy = Date.now() + 10_000;
    while ((await scrape(service.url)).remaining !== 0 && Date.now() < drainedBy) await sleep(100);
    await sample();

    const keys = ['total', 'server', ...[...new Set(samples.flatMap((s) => Object.keys(s.rss)))].filter((k) => k !== 'total' && k !== 'server').sort()];
    const csv = join(OUT, 'soak.csv');
    const svg = join(OUT, 'soak.svg');
    const sent = result.requests.total;
    const failed = result.non2xx + result.errors;
    writeCsv(csv, samples, keys);
    writeSvg(svg, samples, keys, `${rate} req/s (half of ${saturation.rate.toFixed(0)} measured with ${saturation.tool}) for ${MINUTES} min; ${sent} requests, ${failed} failed`);

    const summary = join(OUT, 'soak.txt');
    const lines = [`node ${process.version}, ${new Date().toISOString()}, SOAK_MINUTES=${MINUTES}`, saturationLine];
    const report = (line) => {
      console.log(line);
      lines.push(line.replace(/^\n/, ''));
    };
    report(`\n${sent} requests at ${result.requests.average.toFixed(0)} req/s on average; ${result.non2xx} non-2xx, ${result.errors} errors; latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`);
    report(`growth of resident memory after warm-up (${(WARM_UP_MS / 1000).toFixed(0)} s), median of the first third of the samples against the last third:`);
    let worst = 0;
    for (const key of keys) {
      const g = growth(samples, (s) => s.rss[key]);
      if (!g) continue;
      worst = Math.max(worst, g.growth);
      report(`  ${key.padEnd(14)} ${g.first.toFixed(1).padStart(7)} MB -> ${g.last.toFixed(1).padStart(7)} MB  ${(g.growth * 100).toFixed(1).padStart(6)}%`);
    }
    const heap = growth(samples, (s) => s.heapMb);
    if (heap) report(`  (server V8 heap in use ${heap.first.toFixed(1)} MB -> ${heap.last.toFixed(1)} MB, ${(heap.growth * 100).toFixed(1)}%)`);
    const remaining = samples[samples.length - 1].remaining;
    const maxRemaining = Math.max(...samples.map((s) => s.remaining));
    report(`remaining_task: at most ${maxRemaining} during the run, ${remaining} at the end`);
    report(`wrote ${[csv, svg, summary].map((f) => relative(ROOT, f)).join(', ')}`);
    const problems = [];
    if (samples.filter((s) => s.underLoad && s.elapsedMs >= WARM_UP_MS).length < 3) problems.push('too few samples after warm-up to judge growth');
    if (worst > MAX_GROWTH) problems.push(`memory grew ${(worst * 100).toFixed(1)}% (limit ${MAX_GROWTH * 100}%)`);
    if (failed > 0) problems.push(`${failed} request(s) failed`);
    if (remaining !== 0) problems.push(`${remaining} task(s) left in the service`);
    if (problems.length) {
      report(`FAIL: ${problems.join('; ')}`);
      process.exitCode = 1;
    } else {
      report(`PASS: growth under ${MAX_GROWTH * 100}% for every process`);
    }
    writeFileSync(summary, `${lines.join('\n')}\n`);
  } finally {
    cannon?.stop();
    service.proc.kill('SIGTERM');
    const exited = await Promise.race([new Promise((r) => service.proc.once('exit', () => r(true))), sleep(10_000).then(() => false)]);
    if (!exited) service.proc.kill('SIGKILL');
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
