// What the dashboards and the autoscaler's query read from /metrics: enough PromQL to check them
// against a real scrape.

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'and', 'or', 'unless', 'inf', 'nan']);

/** Metric names a PromQL expression selects (Grafana variables such as `$__rate_interval` are not names). */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // label values and strings
    .replace(/\{[^}]*\}/g, '') // label matchers
    .replace(/\[[^\]]*\]/g, '') // range durations
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ') // label lists
    .replace(/\blabel_values\((.*),\s*\w+\s*\)/g, 'label_values($1)'); // Grafana's label_values(metric, label)
  const names = [...bare.matchAll(/(?<![\w.$])([a-zA-Z_:][\w:]*)(?![\w:]|\s*\()/g)].map((match) => match[1]);
  return [...new Set(names.filter((name) => !KEYWORDS.has(name.toLowerCase())))];
}

/** Label lists of `by (...)` clauses and `name{label="value"}` matchers in an expression. */
export function labelUses(expr: string) {
  const grouping = [...expr.matchAll(/\bby\s*\(([^)]*)\)/g)].flatMap((match) => match[1].split(',').map((label) => label.trim()));
  const matchers = [...expr.matchAll(/([a-zA-Z_:][\w:]*)\s*\{([^}]*)\}/g)].flatMap(([, metric, body]) =>
    [...body.matchAll(/(\w+)\s*(=~|!~|!=|=)\s*"([^"]*)"/g)].map(([, label, op, value]) => ({ metric, label, op, value })),
  );
  return { grouping, matchers };
}
