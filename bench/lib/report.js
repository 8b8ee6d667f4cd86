// The table's rows from the rounds: medians of ours and of the baseline, and the median over rounds
// of each round's ratio (each round's baseline was measured minutes from its own figure).
const { median } = require('./stats');

const int = (value) => Math.round(value).toLocaleString('en-US');
const ms = (value) => value.toFixed(value < 1 ? 3 : value < 10 ? 2 : 1);
const mib = (value) => value.toFixed(1);
const times = (value) => value.toFixed(Math.abs(value) < 0.1 ? 3 : 2);

/**
 * `pick(round)` gives { ours, base }, either possibly undefined (a server not measured). Each of the
 * three figures is undefined when no round had what it needs.
 */
function figure(rounds, pick, combine = (ours, base) => ours / base) {
  const picked = rounds.map(pick).filter(Boolean);
  const both = picked.filter((values) => values.ours !== undefined && values.base !== undefined);
  return {
    ours: median(picked.map((values) => values.ours)),
    base: median(picked.map((values) => values.base)),
    ratio: median(both.map((values) => combine(values.ours, values.base))),
  };
}

/** `format` for a number, `missing` for undefined. */
const show = (value, format, missing) => (value === undefined ? missing : format(value));

function row(id, measure, found, { format, target, meets, ratioFormat = times, missing = 'not measured' }) {
  return {
    id,
    measure,
    ours: show(found.ours, format, 'not measured'),
    base: show(found.base, format, missing),
    ratio: show(found.ratio, ratioFormat, ''),
    target: target ?? '',
    verdict: meets && found.ratio !== undefined ? (meets(found.ratio) ? 'met' : 'MISSED') : '',
  };
}

const load = (round, key, connections) => round[key]?.loads[connections];
const workers = (memory) => memory?.children.filter((child) => child.kind === 'worker') ?? [];
const mean = (values) => (values.length ? values.reduce((sum, value) => sum + value, 0) / values.length : undefined);

/** Rows P1..P6, the model's batching gain (M) and the echo sweep (S). */
function buildRows(rounds, { saturation, concurrencies, offlineBatch, mosecMissing }) {
  const noMosec = mosecMissing ? 'mosec not installed' : 'not measured';
  const rows = [];
  const echoVs = (key, connections, field) => (round) => ({
    ours: load(round, 'echo', connections)?.[field],
    base: load(round, key, connections)?.[field],
  });

  rows.push(row('P1', 'echo req/s, c=64 / bare fastify', figure(rounds, echoVs('fastify', 64, 'rps')), {
    format: int, target: '>= 0.75', meets: (ratio) => ratio >= 0.75,
  }));
  rows.push(row('P2', 'echo req/s, c=64 / mosec', figure(rounds, echoVs('mosec', 64, 'rps')), {
    format: int, target: '>= 4', meets: (ratio) => ratio >= 4, missing: noMosec,
  }));
  rows.push(row('P2', 'echo p99 ms, c=64 / mosec', figure(rounds, echoVs('mosec', 64, 'p99')), {
    format: ms, target: '<= 1', meets: (ratio) => ratio <= 1, missing: noMosec,
  }));
  // At saturation: the better of the two loads, since more connections can cost more than they batch.
  const saturated = (round) => {
    const rates = [64, saturation].map((connections) => load(round, 'mlp', connections)?.rps).filter((rps) => rps !== undefined);
    return rates.length ? Math.max(...rates) : undefined;
  };
  for (const connections of [64, saturation]) {
    rows.push(row('P3', `MLP items/s, c=${connections} / mosec`, figure(rounds, (round) => ({
      ours: load(round, 'mlp', connections)?.rps,
      base: load(round, 'mosecMlp', connections)?.rps,
    })), { format: int, target: '> 1', meets: (ratio) => ratio > 1, missing: noMosec }));
  }
  rows.push(row('P3', `MLP items/s, best of c=64/${saturation} / offline batch ${offlineBatch}, alone`, figure(rounds, (round) => ({
    ours: saturated(round),
    base: round.offline?.itemsPerSecond,
  })), { format: int, target: '>= 0.9', meets: (ratio) => ratio >= 0.9 }));
  rows.push(row('P3', `MLP items/s, best of c=64/${saturation} / offline batch ${offlineBatch}, wrk beside`, figure(rounds, (round) => ({
    ours: saturated(round),
    base: round.offline?.besideLoadItemsPerSecond,
  })), { format: int, target: '>= 0.9', meets: (ratio) => ratio >= 0.9 }));
  rows.push(row('P4', 'MLP req/s, c=64 / naive Nest', figure(rounds, (round) => ({
    ours: load(round, 'mlp', 64)?.rps,
    base: load(round, 'naive', 64)?.rps,
  })), { format: int, target: '>= 3', meets: (ratio) => ratio >= 3 }));
  rows.push(row('P5', 'echo p50 ms, c=1 - bare fastify (ms)', figure(rounds, echoVs('fastify', 1, 'p50'), (ours, base) => ours - base), {
    format: ms, target: '<= +0.3 ms', meets: (added) => added <= 0.3, ratioFormat: (added) => `${added >= 0 ? '+' : ''}${added.toFixed(2)} ms`,
  }));

  const memoryRow = (measure, pick) => {
    const at = (when) => figure(rounds, (round) => ({ ours: pick(round.echo?.memory?.[when]), base: pick(round.mosec?.memory?.[when]) }));
    rows.push(pair('P6', `${measure}: idle; after load / mosec`, at('idle'), at('loaded'), mib, noMosec));
  };
  memoryRow('RSS MiB, main process', (tree) => tree?.main);
  memoryRow('RSS MiB, one worker (mean)', (tree) => mean(workers(tree).map((child) => child.rss)));
  memoryRow('RSS MiB, whole tree', (tree) => tree?.total);
  // The whole tree's PSS against mosec's, for each job, when idle and after load.
  for (const [job, ours, base, target] of [['echo', 'echo', 'mosec', 1.5], ['MLP', 'mlp', 'mosecMlp', 1.2]]) {
    for (const [when, label] of [['idle', 'idle'], ['loaded', 'after load']]) {
      const tree = (round, key) => round[key]?.memory?.[when]?.totalPss;
      rows.push(row('P6', `${job} PSS MiB, whole tree ${label} / mosec`, figure(rounds, (round) => ({ ours: tree(round, ours), base: tree(round, base) })), {
        format: mib, target: `<= ${target}`, meets: (ratio) => ratio <= target, missing: noMosec,
      }));
    }
  }

  rows.push(row('M', `MLP offline items/s, batch ${offlineBatch} / batch 1`, figure(rounds, (round) => ({
    ours: round.offline?.itemsPerSecond,
    base: round.offline?.singleItemsPerSecond,
  })), { format: int }));

  for (const connections of concurrencies) {
    const rps = figure(rounds, echoVs('fastify', connections, 'rps'));
    const p99 = figure(rounds, echoVs('fastify', connections, 'p99'));
    rows.push(pair('S', `echo c=${connections}: req/s; p99 ms / bare fastify`, rps, p99, [int, ms]));
  }
  return rows;
}

/** A row of two figures side by side ("a; b" in each cell), with no target. */
function pair(id, measure, first, second, format, missing = 'not measured') {
  const [formatFirst, formatSecond] = Array.isArray(format) ? format : [format, format];
  const cell = (key, formatOne, formatTwo, none) => {
    if (first[key] === undefined && second[key] === undefined) return none;
    return `${show(first[key], formatOne, none)}; ${show(second[key], formatTwo, none)}`;
  };
  return {
    id,
    measure,
    ours: cell('ours', formatFirst, formatSecond, 'not measured'),
    base: cell('base', formatFirst, formatSecond, missing),
    ratio: cell('ratio', times, times, ''),
    target: '',
    verdict: '',
  };
}

/** Per-process RSS / PSS after load in the last round, for the note under the table. */
function memoryDetail(round) {
  const describe = (memory) => {
    const tree = memory?.loaded;
    if (!tree) return 'not measured';
    return `main ${mib(tree.main)}/${mib(tree.mainPss)}, ` +
      tree.children.map((child) => `${child.kind} ${mib(child.rss)}/${mib(child.pss)}`).join(', ');
  };
  return {
    ours: describe(round.echo?.memory),
    mosec: describe(round.mosec?.memory),
    oursMlp: describe(round.mlp?.memory),
    mosecMlp: describe(round.mosecMlp?.memory),
  };
}

/** Load runs whose answers were not all 2xx, or that saw socket errors. */
function problems(rounds) {
  const found = [];
  rounds.forEach((round, index) => {
    for (const [key, result] of Object.entries(round)) {
      for (const [connections, run] of Object.entries(result?.loads ?? {})) {
        if (run.errors || run.non2xx) {
          found.push(`round ${index + 1} ${key} c=${connections}: ${run.errors} socket errors, ${run.non2xx} non-2xx of ${run.requests}`);
        }
      }
    }
  });
  return found;
}

module.exports = { buildRows, memoryDetail, problems, figure, int, ms, mib, times };
