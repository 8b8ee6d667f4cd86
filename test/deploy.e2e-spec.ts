import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DockerfileParser, Env, Instruction } from 'dockerfile-ast';
import { parseAllDocuments } from 'yaml';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Service } from 'kubernetes-models/v1';
import sharp from 'sharp';
import { parseMetrics } from './support/metrics';
import { labelUses, metricNames } from './support/promql';
import { allExited, eventually, exitWithin, firstReadiness, post, RunningServer, sleep, startService, waitForLog, waitReady } from './support/server';

/**
 * deploy/: the image and the Kubernetes manifests of the default service. Every manifest must pass the
 * Kubernetes (and KEDA) schemas, and the files must agree with each other and with the service: the
 * ports, the probes, the shutdown budget, the scaler's target and its metric.
 */
const ROOT = join(__dirname, '..');
const K8S = join(ROOT, 'deploy', 'k8s');

interface Manifest {
  file: string;
  doc: any;
}

/** Every YAML document in deploy/k8s (kustomization.yaml apart: it lists the others). */
function loadManifests(): { manifests: Manifest[]; kustomization?: any } {
  const manifests: Manifest[] = [];
  let kustomization: any;
  for (const file of readdirSync(K8S).filter((name) => /\.ya?ml$/.test(name)).sort()) {
    for (const document of parseAllDocuments(readFileSync(join(K8S, file), 'utf8'))) {
      if (document.errors.length) throw new Error(`${file}: ${document.errors.map((e) => e.message).join('; ')}`);
      const doc = document.toJS();
      if (doc === null) continue;
      if (doc.kind === 'Kustomization') kustomization = doc;
      else manifests.push({ file, doc });
    }
  }
  return { manifests, kustomization };
}

const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'apps/v1 Deployment': Deployment,
  'v1 Service': Service,
  'policy/v1 PodDisruptionBudget': PodDisruptionBudget,
  'keda.sh/v1alpha1 ScaledObject': ScaledObject,
};

function only(manifests: Manifest[], kind: string): any {
  const found = manifests.filter((m) => m.doc.kind === kind);
  if (found.length !== 1) throw new Error(`deploy/k8s should hold one ${kind}, not ${found.length}`);
  return found[0].doc;
}

/** The container's port a probe or Service names, by name or by number. */
function containerPort(container: any, port: string | number): number | undefined {
  const ports: any[] = container.ports ?? [];
  return typeof port === 'number' ? ports.find((p) => p.containerPort === port)?.containerPort : ports.find((p) => p.name === port)?.containerPort;
}

function envOf(container: any): Record<string, string> {
  return Object.fromEntries((container.env ?? []).filter((e: any) => e.value !== undefined).map((e: any) => [e.name, String(e.value)]));
}

/** Seconds a preStop hook sleeps: `sleep N`, directly or in `sh -c`; 0 without one. */
function preStopSleepSeconds(container: any): number {
  const command: string[] | undefined = container.lifecycle?.preStop?.exec?.command;
  if (container.lifecycle?.preStop?.sleep) return Number(container.lifecycle.preStop.sleep.seconds);
  if (!command) return 0;
  const match = /(?:^|\s)sleep\s+(\d+)/.exec(command.join(' '));
  if (!match) throw new Error(`preStop does not sleep: ${command.join(' ')}`);
  return Number(match[1]);
}

/** The service timeout in ms, which the container sets so that the grace period can be checked here. */
function serviceTimeoutMs(container: any): number {
  const fromEnv = envOf(container).MOSEC_TIMEOUT;
  if (fromEnv === undefined) throw new Error('the container sets no MOSEC_TIMEOUT: the grace period cannot be checked against it');
  return Number(fromEnv);
}

/** Prometheus' name for a Kubernetes label copied onto a series (`app.kubernetes.io/name` -> `app_kubernetes_io_name`). */
function promLabel(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_');
}

/** The metric names a PromQL query selects with label matchers (`name{...}`). */
/** The instructions of each build stage, in order. */
function stagesOf(dockerfileText: string): Instruction[][] {
  const stages: Instruction[][] = [];
  for (const instruction of DockerfileParser.parse(dockerfileText).getInstructions()) {
    if (instruction.getKeyword() === 'FROM') stages.push([]);
    stages[stages.length - 1]?.push(instruction);
  }
  return stages;
}

describe('deploy/ manifests and image', () => {
  const { manifests, kustomization } = loadManifests();
  const deployment = only(manifests, 'Deployment');
  const pod = deployment.spec.template;
  const container = pod.spec.containers[0];
  const dockerfileText = readFileSync(join(ROOT, 'deploy', 'Dockerfile'), 'utf8');
  const stages = stagesOf(dockerfileText);
  const runtime = stages[stages.length - 1] ?? [];
  const keyword = (stage: Instruction[], name: string) => stage.filter((i) => i.getKeyword() === name);

  it('has a Deployment, a Service, a ScaledObject and a PodDisruptionBudget, each valid against its schema', () => {
    expect(manifests.map((m) => m.doc.kind).sort()).toEqual(['Deployment', 'PodDisruptionBudget', 'ScaledObject', 'Service']);
    for (const { file, doc } of manifests) {
      const Model = MODELS[`${doc.apiVersion} ${doc.kind}`];
      if (!Model) throw new Error(`${file}: no schema here for ${doc.apiVersion} ${doc.kind}`);
      expect(() => new Model(doc).validate()).not.toThrow();
    }
  });

  it('kustomization.yaml lists every manifest', () => {
    const files = [...new Set(manifests.map((m) => m.file))].sort();
    expect([...(kustomization?.resources ?? [])].sort()).toEqual(files);
  });

  it('the Service sends its port to the container port it names, on the pods the Deployment makes', () => {
    const service = only(manifests, 'Service');
    expect(service.spec.ports.length).toBeGreaterThan(0);
    for (const port of service.spec.ports) {
      expect(typeof port.targetPort).toBe('string'); // by name: the number lives in one place
      // The port the service listens on (MOSEC_PORT) and Prometheus scrapes.
      expect(containerPort(container, port.targetPort)).toBe(Number(envOf(container).MOSEC_PORT));
      expect(containerPort(container, port.targetPort)).toBe(Number(pod.metadata.annotations['prometheus.io/port']));
    }
    expect(pod.metadata.labels).toMatchObject(service.spec.selector);
    expect(pod.metadata.labels).toMatchObject(deployment.spec.selector.matchLabels);
    expect(pod.metadata.labels).toMatchObject(only(manifests, 'PodDisruptionBudget').spec.selector.matchLabels);
  });

  it('probes: startup and readiness are GET / on the service port; liveness is not GET / (503 while draining)', () => {
    const port = containerPort(container, only(manifests, 'Service').spec.ports[0].targetPort);
    expect(container.readinessProbe.httpGet.path).toBe('/');
    // The service listens once its workers are warm: the startup probe gives the warm-up its time.
    expect(container.startupProbe.httpGet.path).toBe('/');
    expect(container.startupProbe.periodSeconds * container.startupProbe.failureThreshold).toBeGreaterThanOrEqual(60);
    expect(containerPort(container, container.readinessProbe.httpGet.port)).toBe(port);
    // An HTTP liveness probe, so that the running service below can be asked what it answers there.
    const liveness = container.livenessProbe?.httpGet;
    expect(liveness?.path).toMatch(/^\/./);
    expect(containerPort(container, liveness.port)).toBe(port);
    // What the service answers on these paths is checked against the running service below.
  });

  it('the grace period covers the preStop sleep plus the service timeout (the longest drain)', () => {
    const budget = preStopSleepSeconds(container) + serviceTimeoutMs(container) / 1000;
    expect(preStopSleepSeconds(container)).toBeGreaterThan(0);
    expect(pod.spec.terminationGracePeriodSeconds).toBeGreaterThan(budget);
  });

  it('runs as a non-root user that Kubernetes can check, with a read-only root file system', () => {
    // The node image's own unprivileged user, `node`, uid 1000.
    const user = keyword(runtime, 'USER').at(-1)?.getArgumentsContent()?.split(':')[0];
    expect(user).toBe('node');
    // runAsNonRoot needs a numeric user, which a named USER does not give: runAsUser does.
    const runAsUser = container.securityContext?.runAsUser ?? pod.spec.securityContext?.runAsUser;
    expect(pod.spec.securityContext?.runAsNonRoot ?? container.securityContext?.runAsNonRoot).toBe(true);
    expect(runAsUser).toBe(1000);
    expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
  });

  it('the Dockerfile: build stages, then a runtime stage with tini (exec form) and the port the manifests use', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const [entrypoint] = keyword(runtime, 'ENTRYPOINT').slice(-1);
    expect(entrypoint?.getArgumentsContent()?.trim().startsWith('[')).toBe(true); // exec form: tini is PID 1
    const args = JSON.parse(entrypoint!.getArgumentsContent()!) as string[];
    expect(args[0]).toMatch(/(^|\/)tini$/);
    const exposed = keyword(runtime, 'EXPOSE').flatMap((i) => i.getArguments().map((a) => Number(a.getValue().split('/')[0])));
    const port = containerPort(container, only(manifests, 'Service').spec.ports[0].targetPort);
    expect(exposed).toContain(port);
    expect(Number(envOf(container).MOSEC_PORT)).toBe(port);
    expect(Number(pod.metadata.annotations['prometheus.io/port'])).toBe(port);
    // The model ships in the image: the service finds it at MLP_MODEL_PATH and writes nothing at start.
    expect((keyword(runtime, 'ENV') as Env[]).flatMap((i) => i.getProperties().map((p) => p.getName()))).toContain('MLP_MODEL_PATH');
  });

  it('.dockerignore keeps node_modules and builds out, and none of what the Dockerfile copies', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.git']));
    const copied = stages.flat().filter((i) => i.getKeyword() === 'COPY' && !/--from/.test(i.getArgumentsContent() ?? ''))
      .flatMap((i) => i.getArguments().map((a) => a.getValue()).slice(0, -1));
    for (const source of copied) {
      expect(ignored.filter((pattern) => !/[*?]/.test(pattern) && (source === pattern || source.startsWith(`${pattern}/`)))).toEqual([]);
    }
  });

  it('the ScaledObject scales this Deployment, on a query that selects its pods', () => {
    const scaled = only(manifests, 'ScaledObject');
    expect(scaled.spec.scaleTargetRef.name).toBe(deployment.metadata.name);
    expect(scaled.spec.scaleTargetRef.kind ?? 'Deployment').toBe('Deployment');
    expect(scaled.spec.minReplicaCount).toBeGreaterThanOrEqual(1);
    expect(scaled.spec.maxReplicaCount).toBeGreaterThan(scaled.spec.minReplicaCount);
    const trigger = scaled.spec.triggers.find((t: any) => t.type === 'prometheus');
    expect(Number(trigger.metadata.threshold)).toBeGreaterThan(0);
    const podLabels = Object.entries(pod.metadata.labels as Record<string, string>).map(([k, v]) => [promLabel(k), v]);
    for (const matcher of labelUses(trigger.metadata.query).matchers) {
      if (matcher.label === 'namespace' || matcher.label === 'pod') continue;
      expect(podLabels).toContainEqual([matcher.label, matcher.value]);
    }
  });

  describe('against the built default service', () => {
    const scaled = only(manifests, 'ScaledObject');
    const query: string = scaled.spec.triggers.find((t: any) => t.type === 'prometheus').metadata.query;
    // The container's environment, but on a free loopback port.
    const { MOSEC_PORT: _port, MOSEC_ADDRESS: _address, ...env } = envOf(container);
    const livenessPath: string = container.livenessProbe?.httpGet?.path;
    const metricsPath: string = pod.metadata.annotations['prometheus.io/path'] ?? '/metrics';
    let server: RunningServer;

    beforeAll(async () => {
      server = await startService('src/main.js', env, { waitReady: false });
    }, 60_000);
    afterAll(async () => {
      await server?.stop();
    });

    it('while warming up nothing listens (the startup probe waits); the first answer of the readiness path is 200', async () => {
      expect(await firstReadiness(server, 45_000)).toBe(200);
      expect((await fetch(`${server.url}${livenessPath}`)).status).toBe(200);
    }, 60_000);

    it(`the ScaledObject's metric is in a real scrape of ${metricsPath}`, async () => {
      await waitReady(server, 45_000);
      expect((await post(`${server.url}/classify`, { features: Array.from({ length: 16 }, (_, i) => i / 16) })).status).toBe(200);
      const response = await fetch(`${server.url}${metricsPath}`);
      expect(response.status).toBe(200);
      const scraped = new Set(parseMetrics(await response.text()).map((s) => s.name));
      const wanted = metricNames(query);
      expect(wanted.length).toBeGreaterThan(0);
      for (const name of wanted) expect([name, scraped.has(name)]).toEqual([name, true]);
    }, 60_000);

    /** A probe as the kubelet sends it: a fresh connection, closed after the answer. */
    function probe(path: string): Promise<number> {
      return fetch(`${server.url}${path}`, { headers: { connection: 'close' } }).then((r) => r.status, () => 0);
    }

    it('while draining after SIGTERM, the readiness path answers 503 and the liveness path 200; then exit 0', async () => {
      await waitReady(server, 45_000);
      const image = await sharp({ text: { text: Array.from({ length: 12 }, (_, i) => `Line ${i} of a longer page`).join('\n'), font: 'DejaVu Sans 20', dpi: 150 } })
        .extend({ top: 30, bottom: 30, left: 30, right: 30, background: 'white' })
        .flatten({ background: 'white' })
        .png()
        .toBuffer();
      const workers = server.workerPids();
      const inFlight = Array.from({ length: 3 }, () => post(`${server.url}/ocr`, image, { 'content-type': 'image/png' }));
      // SIGTERM once the service holds all three.
      const held = `${env.MOSEC_NAMESPACE ?? 'mosec_service'}_remaining_task`;
      const holding = async () => parseMetrics(await (await fetch(`${server.url}${metricsPath}`)).text()).find((s) => s.name === held)?.value === 3;
      await eventually(holding, 10_000, () => `${held} did not reach 3 within 10 s`);
      server.proc.kill('SIGTERM');
      await waitForLog(server, /SIGTERM: draining 3 in-flight/);
      const ready = await probe('/');
      const live = await probe(livenessPath);
      expect({ ready, live }).toEqual({ ready: 503, live: 200 });
      expect((await Promise.all(inFlight)).map((a) => a.status)).toEqual([200, 200, 200]);
      expect(await exitWithin(server, 15_000)).toBe(0);
      await allExited(workers, 3000);
    }, 60_000);
  });
});
