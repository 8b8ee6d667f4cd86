#!/usr/bin/env node
// Large payloads between stages, through the HTTP process's socket frames (`MOSEC_IPC=socket`) and
// through shared memory (`MOSEC_IPC=shm`), alternating in one run: req/s, p50, the HTTP process's CPU
// per request and its peak RSS. Two services: a ~9 MiB JSON body through three stages that pass it
// on (test/fixtures/relay), and the OCR pipeline on a rendered 3000 px page.
//
//   node bench/large-payloads.js        BENCH_ROUNDS (2), BENCH_DURATION (10 s per load), MOSEC_DIST
const { readFileSync, writeFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');
const { startServer, runBenchmark } = require('./lib/server-process');
const { processTreeRss } = require('./lib/memory');
const { median } = require('./lib/stats');
const { driveFetch } = require('./lib/fetch-load');
const { plainTable } = require('./lib/table');
const config = require('./lib/config');

const log = (message) => process.stderr.write(`${message}\n`);
const rounds = Math.round(Number(process.env.BENCH_ROUNDS ?? 2));
const duration = Number(process.env.BENCH_DURATION ?? 10);
const VARIANTS = ['socket', 'shm'];
const TICKS = 100; // /proc/<pid>/stat counts CPU in clock ticks of 10 ms

/** CPU seconds (user + system) the process has used. */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

function peakRssMiB(pid) {
  const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match[1]) / 1024;
}

/** `connections` clients posting `body` for `seconds`; identity: what is measured is the payload's way, not answer compression. */
function drive(url, body, type, connections, seconds) {
  return driveFetch(url, { body, headers: { 'content-type': type, 'accept-encoding': 'identity' } }, connections, seconds);
}

/** A ~9 MiB JSON body: a million floats, as an embedding batch or a tensor would come. */
function relayBody() {
  let seed = 7;
  const values = Array.from({ length: 1_000_000 }, () => ((seed = (seed * 16807) % 2147483647) / 2147483647).toFixed(6));
  return Buffer.from(`{"values":[${values.join(',')}]}`);
}

/** A 3000 × 3000 px page of text, as a phone photo of a document would be after decoding. */
async function ocrPage() {
  const sharp = require('sharp');
  const lines = Array.from({ length: 12 }, (_, i) => `Line ${i + 1}: invoice ${1000 + i * 37} total ${(i * 13.7 + 21).toFixed(2)} EUR`);
  const text = await sharp({ text: { text: lines.join('\n'), font: 'DejaVu Sans 64', dpi: 72, spacing: 60, rgba: true } }).png().toBuffer();
  const meta = await sharp(text).metadata();
  return sharp(text)
    .extend({ top: 200, left: 200, bottom: 3000 - 200 - meta.height, right: 3000 - 200 - meta.width, background: '#ffffff' })
    .flatten({ background: '#ffffff' })
    .png()
    .toBuffer();
}

const SERVICES = [
  { key: 'relay', name: '9 MiB JSON, 3 stages', entry: 'test/fixtures/relay/main.js', path: '/relay', type: 'application/json', body: relayBody, loads: [1, 8] },
  { key: 'ocr', name: 'OCR, 3000 px page', entry: 'examples/ocr/main.js', path: '/inference', type: 'image/png', body: ocrPage, loads: [1, 4] },
];

async function measure(service, body, ipc) {
  const server = await startServer({
    name: `${service.key} (${ipc})`,
    command: process.execPath,
    args: [join(config.DIST, service.entry)],
    env: { MOSEC_IPC: ipc, MOSEC_TIMEOUT: '60000' },
    probe: { path: service.path, body: '{}', anyStatus: true },
    readyTimeoutMs: 120_000,
  }).catch((error) => {
    throw new Error(`${service.key} with MOSEC_IPC=${ipc} did not start: ${error.message}`);
  });
  try {
    const url = server.url + service.path;
    await drive(url, body, service.type, 1, 2); // warm-up
    const loads = {};
    for (const connections of service.loads) {
      const before = cpuSeconds(server.pid);
      const result = await drive(url, body, service.type, connections, duration);
      const cpu = cpuSeconds(server.pid) - before;
      loads[connections] = { ...result, cpuMs: result.answered > 0 ? (cpu * 1000) / (result.answered + result.failed) : undefined };
      log(`  ${service.key} ${ipc} c=${connections}: ${result.rps.toFixed(2)} req/s, p50 ${result.p50?.toFixed(0)} ms, HTTP CPU ${loads[connections].cpuMs?.toFixed(1)} ms/request, ${result.failed} failed`);
    }
    return { loads, httpPeakRss: peakRssMiB(server.pid), treeRss: processTreeRss(server.pid).total };
  } finally {
    await server.stop();
  }
}

async function main() {
  const results = {};
  for (const service of SERVICES) {
    const body = await service.body();
    log(`${service.name}: ${(body.length / 1048576).toFixed(1)} MiB request`);
    results[service.key] = Object.fromEntries(VARIANTS.map((ipc) => [ipc, []]));
    for (let round = 0; round < rounds; round++) {
      for (const ipc of round % 2 === 0 ? VARIANTS : [...VARIANTS].reverse()) results[service.key][ipc].push(await measure(service, body, ipc));
    }
  }
  const rows = [];
  for (const service of SERVICES) {
    for (const connections of service.loads) {
      const of = (ipc, pick) => median(results[service.key][ipc].map((run) => pick(run.loads[connections])));
      const socket = { rps: of('socket', (l) => l.rps), p50: of('socket', (l) => l.p50), cpu: of('socket', (l) => l.cpuMs) };
      const shm = { rps: of('shm', (l) => l.rps), p50: of('shm', (l) => l.p50), cpu: of('shm', (l) => l.cpuMs) };
      const peak = (ipc) => median(results[service.key][ipc].map((run) => run.httpPeakRss));
      rows.push([
        `${service.name}, c=${connections}`,
        `${socket.rps.toFixed(2)} / ${shm.rps.toFixed(2)} (${(shm.rps / socket.rps).toFixed(2)}x)`,
        `${socket.p50.toFixed(0)} / ${shm.p50.toFixed(0)}`,
        `${socket.cpu.toFixed(1)} / ${shm.cpu.toFixed(1)} (${(shm.cpu / socket.cpu).toFixed(2)}x)`,
        `${peak('socket').toFixed(0)} / ${peak('shm').toFixed(0)}`,
      ]);
    }
  }
  const table = plainTable(['payload, load', 'req/s socket / shm', 'p50 ms socket / shm', 'HTTP-process CPU ms/request socket / shm', 'HTTP-process peak RSS MiB socket / shm'], rows);
  const header = `Large payloads between stages, ${new Date().toISOString().slice(0, 10)}: medians of ${rounds} alternating round(s) x ${duration} s per load, node ${process.version}.`;
  console.log(`${header}\n\n${table}`);
  if (process.env.BENCH_WRITE !== '0') {
    mkdirSync(join(config.ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(join(config.ROOT, 'bench', 'results', 'large-payloads.md'), `${header}\n\n${table}\n`);
  }
}

runBenchmark(main);
