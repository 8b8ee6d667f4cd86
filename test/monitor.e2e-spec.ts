import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMetrics, Sample } from './support/metrics';
import { labelUses, metricNames } from './support/promql';
import { eventually, post, RunningServer, sleep, startCommand } from './support/server';

const MONITOR = join(__dirname, '..', 'examples', 'monitor');
const read = (file: string) => readFileSync(join(MONITOR, file), 'utf8');

interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: GridPos;
  targets?: Array<{ refId: string; expr: string }>;
}

const dashboard = JSON.parse(read('grafana-dashboard.json'));
const panels: Panel[] = dashboard.panels;

/** Every PromQL query in the dashboard: panel targets and query variables. */
function queries(): string[] {
  const fromPanels = panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
  const fromVariables = dashboard.templating.list
    .filter((variable: any) => variable.type === 'query')
    .map((variable: any) => (typeof variable.query === 'string' ? variable.query : variable.query.query));
  return [...fromPanels, ...fromVariables];
}

/** A histogram's `_bucket`, `_sum` and `_count` series all count as the histogram's own name. */
const baseName = (name: string) => name.replace(/_(bucket|sum|count)$/, '');
/** Labels Prometheus adds to every scraped series; a service's own /metrics never has them. */
const TARGET_LABELS = new Set(['instance', 'job']);

describe('examples/monitor: Grafana dashboard model', () => {
  it('validates against examples/monitor/dashboard.schema.json', () => {
    const ajv = new Ajv({ allErrors: true });
    const validate = ajv.compile(JSON.parse(read('dashboard.schema.json')));
    expect(validate(dashboard) ? [] : validate.errors).toEqual([]);
  });

  it('has a Prometheus data source variable that every panel and query variable uses', () => {
    const variables = dashboard.templating.list;
    expect(variables).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }));
    const users = [...panels.filter((panel) => panel.type !== 'row'), ...variables.filter((v: any) => v.type === 'query')];
    for (const user of users) expect(user.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
  });

  it('has unique panel ids, and ref ids unique within each panel', () => {
    const ids = panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of panels) {
      const refIds = (panel.targets ?? []).map((target) => target.refId);
      expect(new Set(refIds).size).toBe(refIds.length);
    }
  });

  it('lays every panel inside the 24-column grid, without overlaps', () => {
    expect(panels.filter(({ gridPos }) => gridPos.x + gridPos.w > 24).map((panel) => panel.title)).toEqual([]);
    const overlaps = (a: GridPos, b: GridPos) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
    const clashes: string[] = [];
    panels.forEach((a, i) =>
      panels.slice(i + 1).forEach((b) => {
        if (overlaps(a.gridPos, b.gridPos)) clashes.push(`${a.title} / ${b.title}`);
      }),
    );
    expect(clashes).toEqual([]);
  });

  it('reads metric names out of PromQL, leaving functions, keywords, labels and Grafana variables aside', () => {
    expect(
      metricNames('histogram_quantile(0.99, sum by (stage, le) (rate(a_bucket{stage=~"$stage"}[$__rate_interval])))'),
    ).toEqual(['a_bucket']);
    expect(metricNames('sum(increase(b_total{instance=~"$instance"}[$__range])) or vector(0)')).toEqual(['b_total']);
    expect(metricNames('sum by (stage) (rate(c_sum[5m])) / sum by (stage) (rate(c_count[5m])) * 1e3')).toEqual(['c_sum', 'c_count']);
    expect(metricNames('label_values(d{instance=~"$instance"}, stage)')).toEqual(['d']);
  });
});

describe('examples/monitor: dashboard queries against a real /metrics scrape (npm run example -- monitor: the echo example)', () => {
  let server: RunningServer;
  let samples: Sample[];

  beforeAll(async () => {
    // What `npm run example -- monitor` runs: the service the dashboard is shown with.
    server = await startCommand(process.execPath, [join(__dirname, '..', 'scripts', 'example.js'), 'monitor']);
    expect(server.logs()).toContain('starting the echo example for them to watch');
    // Successes, a validation error, a worker restart and a dropped task, so that every series the
    // dashboard reads has been created.
    const answers = await Promise.all(Array.from({ length: 8 }, () => post(`${server.url}/inference`, { time: 0.01 })));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect((await post(`${server.url}/inference`, {})).status).toBe(422);
    await restartOneWorker(server);
    await dropOneTask(server);
    samples = parseMetrics(await (await fetch(`${server.url}/metrics`)).text());
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('uses only metric names the service exposes', () => {
    const exposed = new Set(samples.map((sample) => baseName(sample.name)));
    const used = [...new Set(queries().flatMap(metricNames))];
    expect(used.length).toBeGreaterThan(10);
    expect(used.filter((name) => !exposed.has(baseName(name)))).toEqual([]);
  });

  it('groups and filters by labels those metrics carry, with label values that occur', () => {
    const problems: string[] = [];
    for (const expr of queries()) {
      const { grouping, matchers } = labelUses(expr);
      const series = samples.filter((sample) => metricNames(expr).some((name) => baseName(sample.name) === baseName(name)));
      for (const label of grouping) {
        if (!TARGET_LABELS.has(label) && !series.some((sample) => label in sample.labels)) problems.push(`by (${label}) in ${expr}`);
      }
      for (const { metric, label, op, value } of matchers) {
        if (TARGET_LABELS.has(label) || value === '') continue; // label="" selects series without the label
        const own = samples.filter((sample) => baseName(sample.name) === baseName(metric));
        const found = value.includes('$') || op !== '=' ? own.some((s) => label in s.labels) : own.some((s) => s.labels[label] === value);
        if (!found) problems.push(`${metric}{${label}${op}"${value}"}`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('examples/monitor: prometheus.yml', () => {
  const config = read('prometheus.yml');
  const lines = config.split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));

  it('is plain block YAML: spaces only, two-space indentation, key: value or list items', () => {
    for (const line of lines) {
      expect(line).not.toMatch(/\t/);
      const indent = line.length - line.trimStart().length;
      expect(indent % 2).toBe(0);
      expect(line.trim()).toMatch(/^(- )?[a-z_]+:( .+)?$|^- .+$/);
    }
  });

  it('scrapes /metrics every 5s', () => {
    expect(config).toMatch(/^global:\n(?: .*\n|\n)*? +scrape_interval: 5s$/m); // in the global block
    expect(config).toMatch(/^scrape_configs:$/m);
    expect(config).toMatch(/^\s+- job_name: \S+$/m);
    expect(config).toMatch(/^\s+metrics_path: \/metrics$/m);
  });

  it('targets the host and port the README and the service default use', () => {
    const targets = /^\s+- targets: \[(.*)\]$/m.exec(config)?.[1].split(',').map((t) => t.trim().replace(/^['"]|['"]$/g, ''));
    expect(targets).toEqual(['localhost:8000']);
    expect(read('README.md')).toContain('`localhost:8000`');
    // The service's documented default port (MOSEC_PORT).
    expect(readFileSync(join(__dirname, '..', 'README.md'), 'utf8')).toMatch(/`MOSEC_PORT` \| `--port` \| 8000 \|/);
  });
});

/** Waits until `/metrics` has a sample of `name`. */
async function waitForSeries(server: Pick<RunningServer, 'url' | 'logs' | 'workerPids'>, name: string): Promise<void> {
  const has = async () => parseMetrics(await (await fetch(`${server.url}/metrics`)).text()).some((sample) => sample.name === name);
  await eventually(has, 20_000, () => `no ${name} sample on /metrics:\n${server.logs()}`);
}

/** Kills the last forked worker and waits until its replacement is ready (the server is shared). */
async function restartOneWorker(server: Pick<RunningServer, 'url' | 'logs' | 'workerPids'>): Promise<void> {
  const pids = server.workerPids();
  process.kill(pids[pids.length - 1], 'SIGKILL');
  await waitForSeries(server, 'mosec_service_worker_restarts_total');
  const replaced = () => {
    const now = server.workerPids();
    const fresh = now.filter((pid) => !pids.includes(pid));
    return now.length === pids.length && fresh.length === 1 && new RegExp(`ready \\(pid ${fresh[0]},`).test(server.logs());
  };
  await eventually(replaced, 20_000, () => `no replacement of worker ${pids[pids.length - 1]} got ready:\n${server.logs()}`);
}

/** Sends a request that waits behind a slow batch, and goes away before its answer. */
async function dropOneTask(server: Pick<RunningServer, 'url' | 'logs' | 'workerPids'>): Promise<void> {
  const slow = post(`${server.url}/inference`, { time: 0.5 });
  await sleep(50);
  const controller = new AbortController();
  const leaving = fetch(`${server.url}/inference`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ time: 0 }),
    signal: controller.signal,
  }).catch(() => undefined);
  await sleep(100);
  controller.abort();
  await leaving;
  await slow;
  await waitForSeries(server, 'mosec_service_dropped_tasks_total');
}
