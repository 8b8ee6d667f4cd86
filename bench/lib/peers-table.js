// The peers section: for each job and measure, one row of medians with a column per server, and
// under it one row of ours / that server (the median over rounds of each round's ratio).
const { median } = require('./stats');
const { figure, int, ms, mib, times } = require('./report');

/** Each server's step key for a job: ours and mosec have their own, a peer's is `<peer>:<job>`. */
const KEYS = {
  ours: { echo: 'echo', mlp: 'mlp' },
  mosec: { echo: 'mosec', mlp: 'mosecMlp' },
};
const keyOf = (column, job) => KEYS[column]?.[job] ?? `${column}:${job}`;

const load = (connections, field) => (result) => result?.loads[connections]?.[field];
const treePss = (when) => (result) => result?.memory?.[when]?.totalPss;

const MEASURES = [
  ['req/s, c=64', load(64, 'rps'), int],
  ['p50 ms, c=1', load(1, 'p50'), ms],
  ['p99 ms, c=1', load(1, 'p99'), ms],
  ['tree PSS MiB, idle', treePss('idle'), mib],
  ['tree PSS MiB, after load', treePss('loaded'), mib],
];

/**
 * `columns`: [{ key, name, missing }] with ours first (`missing` fills a column not measured, e.g.
 * "not installed"). Returns { columns: [[key, title]] for markdownTable, rows }.
 */
function peerRows(rounds, columns) {
  const rows = [];
  for (const [job, jobName] of [['echo', 'echo'], ['mlp', 'MLP']]) {
    for (const [measure, pick, format] of MEASURES) {
      const values = { job: jobName, measure };
      const ratios = { job: jobName, measure: '  ours / server' };
      for (const column of columns) {
        const found = figure(rounds, (round) => ({
          ours: pick(round[keyOf('ours', job)]),
          base: pick(round[keyOf(column.key, job)]),
        }));
        values[column.key] = found.base === undefined ? column.missing ?? 'not measured' : format(found.base);
        if (column.key !== 'ours' && found.ratio !== undefined) ratios[column.key] = times(found.ratio);
      }
      rows.push(values, ratios);
    }
  }
  return { columns: [['job', 'job'], ['measure', 'measure'], ...columns.map((column) => [column.key, column.name])], rows };
}

/** { name, value } per server for the bar chart: the median req/s at c=64 of `job`. */
function peerBars(rounds, columns, job) {
  return columns.map((column) => ({
    name: column.name,
    value: median(rounds.map((round) => load(64, 'rps')(round[keyOf(column.key, job)]))),
  }));
}

module.exports = { peerRows, peerBars };
