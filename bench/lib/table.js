// Rows as a Markdown table, padded so it also reads well in a terminal.

const COLUMNS = [
  ['id', ''],
  ['measure', 'measure'],
  ['ours', 'ours'],
  ['base', 'baseline'],
  ['ratio', 'ratio'],
  ['target', 'target'],
  ['verdict', ''],
];

/** `columns`: [[key, title]]; the table's own by default. */
function markdownTable(rows, columns = COLUMNS) {
  const widths = columns.map(([key, title]) => Math.max(title.length, 3, ...rows.map((row) => String(row[key] ?? '').length)));
  const line = (cells) => `| ${cells.map((cell, i) => String(cell).padEnd(widths[i])).join(' | ')} |`;
  return [
    line(columns.map(([, title]) => title)),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...rows.map((row) => line(columns.map(([key]) => row[key] ?? ''))),
  ].join('\n');
}

/** A Markdown table of `rows` of cells under `titles`, each column padded to its widest cell. */
function plainTable(titles, rows) {
  const all = [titles, ...rows];
  const widths = titles.map((_, column) => Math.max(3, ...all.map((row) => String(row[column]).length)));
  const line = (row) => `| ${row.map((cell, column) => String(cell).padEnd(widths[column])).join(' | ')} |`;
  return [line(titles), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

module.exports = { markdownTable, plainTable };
