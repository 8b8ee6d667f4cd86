#!/usr/bin/env node
// The last step of `npm run bench`: one table of the performance targets, from what the steps before
// it wrote to bench/results/ in the same run (run.js, side-by-side.js, adaptive.js, worker-footprint.js, ocr.js,
// embeddings.js, generation.js).
// Every ratio is the median over rounds of ours / the baseline measured in the same round.
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { availableParallelism, cpus, totalmem } = require('node:os');
const { join } = require('node:path');
const config = require('./lib/config');
const { median } = require('./lib/stats');
const { markdownTable } = require('./lib/table');
const { fixed, int, row, sideBySideRows } = require('./lib/targets');

const read = (name) => {
  const path = join(config.resultsDir, name);
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;
};
/** Rows of run.js's own table, picked by their measure. */
function fromMainTable(main, pattern, id) {
  return (main?.rows ?? []).filter((r) => pattern.test(r.measure)).map((r) => ({ ...r, id }));
}

function footprintRows(footprint) {
  if (!footprint) return [];
  const workers = footprint.rows.filter((r) => /^echo: worker/.test(r.name));
  const overNode = (index) => Math.max(...workers.map((r) => r.deltas[index]));
  const bare = footprint.bareNode;
  return [
    row('1', 'echo worker RSS MiB over a bare node, after load (largest worker)', fixed(1)(overNode(2) + bare.rss), fixed(1)(bare.rss), overNode(2), 'within +25 MiB', (d) => d <= 25),
    row('1', 'echo worker PSS MiB over a bare node, after load (largest worker)', fixed(1)(overNode(3) + bare.pss), fixed(1)(bare.pss), overNode(3), 'within +25 MiB', (d) => d <= 25),
  ].map((r) => ({ ...r, ratio: r.ratio && `+${r.ratio} MiB` }));
}

function adaptiveRows(adaptive, main) {
  if (!adaptive) return [];
  const rows = [];
  const { rounds } = adaptive;
  const ratio = (load, field) => median(rounds.auto.map((round, i) => round[load][field] / rounds['10'][i][load][field]));
  const at = (wait, load, field) => median(rounds[wait].map((round) => round[load][field]));
  for (const load of adaptive.loads) {
    rows.push(row('2', `MLP c=${load}: p99 ms, auto / fixed 10 ms`, fixed(1)(at('auto', load, 'p99')), fixed(1)(at('10', load, 'p99')), ratio(load, 'p99'), '<= 1', (r) => r <= 1));
    rows.push(row('2', `MLP c=${load}: req/s, auto / fixed 10 ms`, int(at('auto', load, 'rps')), int(at('10', load, 'rps')), ratio(load, 'rps'), '>= 1', (r) => r >= 1));
  }
  const tail = median(rounds.auto.map((round) => round[1].p99 / round[1].p50));
  rows.push(row('2', 'MLP c=1, auto: p99 / p50', fixed(1)(at('auto', 1, 'p99')), fixed(1)(at('auto', 1, 'p50')), tail, '<= 1.6', (r) => r <= 1.6));
  const mosecP50 = median((main?.rounds ?? []).map((round) => round.mosecMlp?.loads[1]?.p50).filter((v) => v !== undefined));
  const oursP50 = at('auto', 1, 'p50');
  rows.push(row('2', 'MLP c=1 p50 ms, auto / mosec (its 10 ms wait)', fixed(1)(oursP50), fixed(1)(mosecP50), mosecP50 ? oursP50 / mosecP50 : undefined, '< 1', (r) => r < 1));
  return rows;
}

function peerRows(main) {
  if (!main) return [];
  const rows = [];
  const peers = [['mosec', 'mosec'], ['pytriton', 'PyTriton'], ['litserve', 'LitServe'], ['bentoml', 'BentoML']];
  for (const [job, ours, name] of [['echo', 'echo', 'echo'], ['mlp', 'mlp', 'MLP']]) {
    for (const [peer, title] of peers) {
      const key = peer === 'mosec' ? (job === 'echo' ? 'mosec' : 'mosecMlp') : `${peer}:${job}`;
      const rps = (round, k) => round[k]?.loads[64]?.rps;
      const measured = main.rounds.filter((round) => rps(round, key) !== undefined && rps(round, ours) !== undefined);
      if (measured.length === 0) continue;
      const ratio = median(measured.map((round) => rps(round, ours) / rps(round, key)));
      rows.push(row('4', `${name} req/s at c=64, ours / ${title}`, int(median(measured.map((r) => rps(r, ours)))), int(median(measured.map((r) => rps(r, key)))), ratio, '> 1', (r) => r > 1));
    }
  }
  return rows;
}

function ocrRows(ocr) {
  if (!ocr) return [];
  const rows = [];
  for (const page of ocr.pages) {
    rows.push(row('5', `OCR ${page.lines}-line page: images/s at c=4, ours / RapidOCR+mosec`, fixed(2)(page.ours.rps4), fixed(2)(page.ref.rps4), page.rps4Ratio, '>= 1.5', (r) => r >= 1.5));
    rows.push({ id: '5', measure: `OCR ${page.lines}-line page: lines read exactly, ours / RapidOCR+mosec`, ours: `${page.ours.exact}/${page.lines}`, base: `${page.ref.exact}/${page.lines}`, ratio: '', target: '>= reference', verdict: page.ours.exact >= page.ref.exact ? 'met' : 'MISSED' });
  }
  return rows;
}

function embeddingRows(embeddings) {
  if (!embeddings) return [];
  const f = embeddings.figures;
  return [
    { id: '6', measure: `embeddings: min cosine with the Python reference (${f.sentences} sentences)`, ours: fixed(5)(f.minCosine.ours), base: '', ratio: '', target: '>= 0.999', verdict: f.minCosine.ours >= 0.999 ? 'met' : 'MISSED' },
    { id: '6', measure: 'embeddings: token counts equal to the reference', ours: `${f.tokensEqual.ours}/${f.sentences}`, base: '', ratio: '', target: 'all', verdict: f.tokensEqual.ours === f.sentences ? 'met' : 'MISSED' },
    row('6', `embeddings: req/s at c=${embeddings.connections}, ours / mosec + onnxruntime`, fixed(1)(f.rps.ours), fixed(1)(f.rps.mosec), f.rpsOverMosec, '>= 1.3', (r) => r >= 1.3),
    row('6', `embeddings: req/s at c=${embeddings.connections}, ours / plain Nest controller`, fixed(1)(f.rps.ours), fixed(1)(f.rps.naive), f.rpsOverNaive, '>= 3', (r) => r >= 3),
    row('6', 'embeddings: PSS MiB of the tree after load, ours / mosec + onnxruntime', int(f.pss.ours), int(f.pss.mosec), f.pssOverMosec, '<= 1.5', (r) => r <= 1.5),
    { id: '6', measure: 'embeddings: lone 10-word request p50 ms (mosec + onnxruntime beside)', ours: fixed(2)(f.loneP50.ours), base: fixed(2)(f.loneP50.mosec), ratio: '', target: '< 10 ms', verdict: f.loneP50.ours < 10 ? 'met' : 'MISSED' },
  ];
}

function generationRows(generation) {
  if (!generation?.figures?.eightTokensPerSecond) return [];
  const f = generation.figures;
  const tps = (key) => fixed(1)(f.eightTokensPerSecond[key]);
  return [
    row('7', 'generation: 8 streams / one lone stream, tokens/s', tps('ours'), fixed(1)(f.loneTokensPerSecond.ours), f.eightOverLone.ours, '>= 4', (r) => r >= 4),
    row('7', 'generation: 8 streams tokens/s, ours / mosec SSE (same graph)', tps('ours'), tps('mosec'), f.oursOverMosecEight, '>= 1.5', (r) => r >= 1.5),
    row('7', "generation: an 8th request's first token ms, while 7 stream / alone", fixed(0)(f.eighthLoadedTtftMs.ours), fixed(0)(f.eighthLoneTtftMs.ours), f.eighthTtftRatio.ours, '<= 3', (r) => r <= 3),
    row('7', 'generation: 8 streams tokens/s, ours / llama.cpp (the goal: 1)', tps('ours'), tps('llama'), f.oursOverLlamaEight, '', undefined),
    ...(f.sustainedTokensPerSecond
      ? [row('7', 'generation: 8 clients streaming answers of 16-128 tokens, tokens/s, ours / mosec SSE', fixed(1)(f.sustainedTokensPerSecond.ours), fixed(1)(f.sustainedTokensPerSecond.mosec), f.oursOverMosecSustained, '>= 1.5', (r) => r >= 1.5)]
      : []),
  ];
}

function main() {
  const mainRun = read('results.json');
  const rows = [
    ...footprintRows(read('worker-footprint.json')),
    ...sideBySideRows(read('side-by-side.json')),
    ...fromMainTable(mainRun, /PSS MiB, whole tree/, '1'),
    ...adaptiveRows(read('adaptive.json'), mainRun),
    ...fromMainTable(mainRun, /^MLP items\/s/, '3'),
    ...peerRows(mainRun),
    ...ocrRows(read('ocr.json')),
    ...embeddingRows(read('embeddings.json')),
    ...generationRows(read('generation.json')),
  ];
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const header = `@mosec/nest performance targets, ${new Date().toISOString().slice(0, 10)}, ${availableParallelism()} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}: from what the steps of \`npm run bench\` wrote to bench/results/; each ratio is ours / a baseline measured in the same round.`;
  const table = [header, '', markdownTable(rows)].join('\n');
  writeFileSync(join(config.resultsDir, 'summary.md'), table + '\n');
  console.log(table);
}

main();
