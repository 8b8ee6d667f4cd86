// Rows of the performance targets' table: a measure, ours, the baseline, their ratio, the target and
// whether it is met. The side-by-side rows are printed by side-by-side.js and by summary.js.
const { median } = require('./stats');

const fixed = (digits) => (value) => (value === undefined || Number.isNaN(value) ? 'not measured' : value.toFixed(digits));
const int = (value) => (value === undefined || Number.isNaN(value) ? 'not measured' : Math.round(value).toLocaleString('en-US'));

function row(id, measure, ours, base, ratio, target, meets) {
  const known = ratio !== undefined && !Number.isNaN(ratio);
  return { id, measure, ours, base, ratio: known ? ratio.toFixed(2) : '', target, verdict: known && meets ? (meets(ratio) ? 'met' : 'MISSED') : '' };
}

/** ours / mosec (and / the offline loop) from bench/side-by-side.js: each ratio the median of the per-round ratios. */
function sideBySideRows(sides) {
  if (!sides) return [];
  const { rounds } = sides;
  const at = (key, field) => median(rounds.map((round) => round[key]?.[field]));
  const ratio = (field, base = 'mosec:mlp', ours = 'ours:mlp') => median(rounds.map((round) => round[ours]?.[field] / round[base]?.[field]));
  const tail = (key) => median(rounds.map((round) => round[key]?.tail));
  return [
    row('3', 'MLP req/s at c=64, ours / mosec (side by side)', int(at('ours:mlp', 'rps')), int(at('mosec:mlp', 'rps')), ratio('rps'), '>= 1.1', (r) => r >= 1.1),
    row('3', 'MLP req/s at c=64, ours / offline batch loop (side by side)', int(at('ours:mlp', 'rps')), int(at('offline', 'rps')), ratio('rps', 'offline'), '>= 0.95', (r) => r >= 0.95),
    row('2', 'MLP c=1 p50 ms, ours / mosec (side by side)', fixed(1)(at('ours:mlp', 'p50')), fixed(1)(at('mosec:mlp', 'p50')), ratio('p50'), '< 1', (r) => r < 1),
    row('2', 'MLP c=1 p99 / p50, ours (mosec beside)', fixed(2)(tail('ours:mlp')), fixed(2)(tail('mosec:mlp')), tail('ours:mlp'), '<= 1.6', (r) => r <= 1.6),
    row('1', 'echo tree PSS MiB right after c=64, ours / mosec (side by side)', fixed(1)(at('ours:echo', 'pss')), fixed(1)(at('mosec:echo', 'pss')), ratio('pss', 'mosec:echo', 'ours:echo'), '<= 1.5', (r) => r <= 1.5),
    row('1', 'echo req/s at c=64, ours through Nest / bare fastify (side by side)', int(at('ours:echo', 'rps')), int(at('fastify:echo', 'rps')), ratio('rps', 'fastify:echo', 'ours:echo'), '>= 0.75', (r) => r >= 0.75),
    row('4', 'echo req/s at c=64, ours / mosec (side by side)', int(at('ours:echo', 'rps')), int(at('mosec:echo', 'rps')), ratio('rps', 'mosec:echo', 'ours:echo'), '>= 4', (r) => r >= 4),
  ];
}

module.exports = { fixed, int, row, sideBySideRows };
