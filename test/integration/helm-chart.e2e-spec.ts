import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getMetadataStorage } from 'class-validator';
import { parse } from 'yaml';
import { SHUTDOWN_DEADLINE_MS } from '../../src/bootstrap/shutdown-deadline';
import { Environment } from '../../src/config/environment';
import { loadConfig } from '../../src/config/load-config';
import { ChartRenderer, renderChart, TemplateError } from '../support/helm-template';

// The chart under deploy/helm/hookgate, rendered as `helm template` would (see test/support/helm-template.ts for
// why not by helm itself) and checked against the Kubernetes API schemas of kubernetes-models.

type Manifest = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type KubernetesModel = new (data: Manifest) => { validate(): void };

const root = join(__dirname, '..', '..');
const chartDirectory = join(root, 'deploy', 'helm', 'hookgate');
const chartReadme = readFileSync(join(chartDirectory, 'README.md'), 'utf8');
const defaults = parse(readFileSync(join(chartDirectory, 'values.yaml'), 'utf8')) as Manifest;
const knownVariables = new Set(
  getMetadataStorage()
    .getTargetValidationMetadatas(Environment, '', true, false)
    .map((meta) => meta.propertyName),
);
const REQUIRED_SECRETS = {
  DATABASE_URL: 'postgresql://hookgate:secret@postgres:5432/hookgate',
  REDIS_URL: 'redis://redis:6379',
  ADMIN_API_KEY: 'an-admin-key-of-sixteen-or-more',
  SECRETS_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
};

/** `--set a.b=c` pairs as helm reads them: integers and booleans typed, the rest strings. */
function setFlags(text: string): Manifest {
  const values: Manifest = {};
  for (const [, path, raw] of text.matchAll(/--set ([\w.]+)=(\S+)/g)) {
    const keys = path.split('.');
    let node = values;
    for (const key of keys.slice(0, -1)) node = node[key] ??= {};
    node[keys[keys.length - 1]] = /^\d+$/.test(raw)
      ? Number(raw)
      : raw === 'true' || raw === 'false'
        ? raw === 'true'
        : raw;
  }
  return values;
}

function valueAt(values: Manifest, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Manifest | undefined)?.[key], values);
}

/** Validates one manifest with the kubernetes-models class of its apiVersion and kind. */
function validate(manifest: Manifest): void {
  const apiVersion = String(manifest.apiVersion);
  // The models are modules per API group and version, picked by the manifest: a dynamic require.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const models = require(`kubernetes-models/${apiVersion}`) as Record<string, KubernetesModel>;
  const Model = models[String(manifest.kind)];
  if (!Model) throw new Error(`${apiVersion} has no kind ${String(manifest.kind)}`);
  new Model(manifest).validate();
}

function render(overrides: Manifest = {}): Manifest[] {
  return renderChart(chartDirectory, { secrets: { values: REQUIRED_SECRETS }, ...overrides }).documents.map(
    ({ manifest }) => manifest,
  );
}

function find(manifests: Manifest[], kind: string, name: string): Manifest {
  const manifest = manifests.find((item) => item.kind === kind && item.metadata.name === name);
  if (!manifest)
    throw new Error(
      `no ${kind} ${name} in ${manifests.map((item) => `${item.kind}/${item.metadata.name}`).join(', ')}`,
    );
  return manifest;
}

/** The variables a pod's container gets: its env, then the ConfigMap's and the Secret's keys, as Kubernetes does. */
function containerEnvironment(manifests: Manifest[], container: Manifest): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) Object.assign(environment, find(manifests, 'ConfigMap', source.configMapRef.name).data);
    if (source.secretRef) Object.assign(environment, find(manifests, 'Secret', source.secretRef.name).stringData);
  }
  for (const variable of container.env ?? []) {
    environment[variable.name] = variable.valueFrom
      ? find(manifests, 'Secret', variable.valueFrom.secretKeyRef.name).stringData[variable.valueFrom.secretKeyRef.key]
      : variable.value;
  }
  return environment;
}

describe('the Helm chart', () => {
  it('renders with its defaults into valid Kubernetes objects: api and worker, Service, autoscaler, budgets, migration', () => {
    const manifests = render();
    for (const manifest of manifests) validate(manifest);
    expect(manifests.map((item) => `${item.kind}/${item.metadata.name}`).sort()).toEqual([
      'ConfigMap/hookgate',
      'Deployment/hookgate-api',
      'Deployment/hookgate-worker',
      'HorizontalPodAutoscaler/hookgate-api',
      'Job/hookgate-migrate',
      'PodDisruptionBudget/hookgate-api',
      'PodDisruptionBudget/hookgate-worker',
      'Secret/hookgate',
      'Service/hookgate-api',
    ]);
  });

  it('gives each Deployment selectors its pods match, and the Service and budgets the pods they mean', () => {
    const manifests = render();
    for (const component of ['api', 'worker']) {
      const deployment = find(manifests, 'Deployment', `hookgate-${component}`);
      const selector = deployment.spec.selector.matchLabels;
      expect(selector['app.kubernetes.io/component']).toBe(component);
      expect(deployment.spec.template.metadata.labels).toEqual(expect.objectContaining(selector));
      expect(find(manifests, 'PodDisruptionBudget', `hookgate-${component}`).spec.selector.matchLabels).toEqual(
        selector,
      );
    }
    const api = find(manifests, 'Deployment', 'hookgate-api');
    expect(find(manifests, 'Service', 'hookgate-api').spec.selector).toEqual(api.spec.selector.matchLabels);
    expect(find(manifests, 'Service', 'hookgate-api').spec.ports[0].targetPort).toBe('http');
    expect(find(manifests, 'HorizontalPodAutoscaler', 'hookgate-api').spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'hookgate-api',
    });
    expect(api.spec.replicas).toBeUndefined(); // the autoscaler owns it
  });

  it('probes /health/live and /health/ready on the port each role serves them on, and runs as non-root', () => {
    const manifests = render();
    const ports = { api: 'http', worker: 'health' };
    for (const [component, portName] of Object.entries(ports)) {
      const pod = find(manifests, 'Deployment', `hookgate-${component}`).spec.template.spec;
      const [container] = pod.containers;
      expect(container.ports).toEqual([{ name: portName, containerPort: component === 'api' ? 3000 : 9464 }]);
      expect(container.livenessProbe.httpGet).toEqual({ path: '/health/live', port: portName });
      expect(container.startupProbe.httpGet).toEqual({ path: '/health/live', port: portName });
      expect(container.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: portName });
      expect(pod.securityContext).toEqual(expect.objectContaining({ runAsNonRoot: true, runAsUser: 1000 }));
      expect(container.securityContext).toEqual(expect.objectContaining({ allowPrivilegeEscalation: false }));
    }
    const dockerHealthcheck = readFileSync(join(root, 'docker', 'healthcheck.js'), 'utf8');
    expect(dockerHealthcheck).toContain('/health/live');
  });

  it('gives every role a configuration Hookgate boots with, in the role and on the port its probes use', () => {
    const manifests = render();
    for (const component of ['api', 'worker']) {
      const [container] = find(manifests, 'Deployment', `hookgate-${component}`).spec.template.spec.containers;
      const environment = containerEnvironment(manifests, container);
      for (const name of Object.keys(environment)) expect(knownVariables).toContain(name);
      const config = loadConfig(environment);
      expect(config.role).toBe(component);
      if (component === 'api') expect(config.port).toBe(container.ports[0].containerPort);
      else expect(config.workerHealthPort).toBe(container.ports[0].containerPort);
    }
  });

  it('gives a stopping pod longer than Hookgate drains for, the api its preStop sleep on top', () => {
    const manifests = render();
    const api = find(manifests, 'Deployment', 'hookgate-api').spec.template.spec;
    const worker = find(manifests, 'Deployment', 'hookgate-worker').spec.template.spec;
    const preStop = Number(api.containers[0].lifecycle.preStop.exec.command[1]);
    expect(preStop).toBeGreaterThan(0);
    expect(api.terminationGracePeriodSeconds).toBeGreaterThan(SHUTDOWN_DEADLINE_MS / 1000 + preStop);
    expect(worker.terminationGracePeriodSeconds).toBeGreaterThan(SHUTDOWN_DEADLINE_MS / 1000);
  });

  it('migrates before install and upgrade, after the Secret it reads, with the npm script the image has', () => {
    const manifests = render();
    const job = find(manifests, 'Job', 'hookgate-migrate');
    const secret = find(manifests, 'Secret', 'hookgate');
    expect(job.metadata.annotations['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    expect(secret.metadata.annotations['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    expect(Number(secret.metadata.annotations['helm.sh/hook-weight'])).toBeLessThan(
      Number(job.metadata.annotations['helm.sh/hook-weight']),
    );
    const [container] = job.spec.template.spec.containers;
    expect(container.command).toEqual(['npm', 'run', 'db:migrate']);
    const scripts = (
      JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    expect(scripts['db:migrate']).toContain('scripts/migrate.js');
    expect(containerEnvironment(manifests, container)).toEqual({ DATABASE_URL: REQUIRED_SECRETS.DATABASE_URL });
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
  });

  it('rolls the pods when a variable changes (a checksum of config and secrets on each pod), not otherwise', () => {
    const annotations = (overrides: Manifest) =>
      ['api', 'worker'].map(
        (component) =>
          find(render(overrides), 'Deployment', `hookgate-${component}`).spec.template.metadata.annotations,
      );
    const [api, worker] = annotations({});
    expect(api['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
    expect(annotations({})).toEqual([api, worker]);
    const [apiAfter, workerAfter] = annotations({ config: { LOG_LEVEL: 'debug' } });
    expect(apiAfter['checksum/config']).not.toBe(api['checksum/config']);
    expect(workerAfter['checksum/config']).not.toBe(worker['checksum/config']);
    expect(apiAfter['checksum/secrets']).toBe(api['checksum/secrets']);
    const [withKey] = annotations({
      secrets: { values: { ...REQUIRED_SECRETS, ADMIN_API_KEY: 'another-admin-key-16+' } },
    });
    expect(withKey['checksum/secrets']).not.toBe(api['checksum/secrets']);
  });

  it("lets the api's readiness follow the process only, so the Service keeps taking webhooks while Redis is lost", () => {
    const api = find(render({ api: { readinessPath: '/health/live' } }), 'Deployment', 'hookgate-api');
    expect(api.spec.template.spec.containers[0].readinessProbe.httpGet.path).toBe('/health/live');
  });

  it('refuses to render without the required secrets, naming the value to set', () => {
    expect(() => renderChart(chartDirectory)).toThrow('secrets.values.DATABASE_URL is required');
  });

  it('uses an existing Secret instead of making one', () => {
    const manifests = render({ secrets: { existingSecret: 'hookgate-prod', values: {} } });
    for (const manifest of manifests) validate(manifest);
    expect(manifests.filter((item) => item.kind === 'Secret')).toEqual([]);
    const worker = find(manifests, 'Deployment', 'hookgate-worker').spec.template.spec.containers[0];
    expect(worker.envFrom).toContainEqual({ secretRef: { name: 'hookgate-prod' } });
    const job = find(manifests, 'Job', 'hookgate-migrate').spec.template.spec.containers[0];
    expect(job.env[0].valueFrom.secretKeyRef).toEqual({ name: 'hookgate-prod', key: 'DATABASE_URL' });
  });

  it('scales workers on the delivery queue’s oldest waiting job when asked', () => {
    const manifests = render({ worker: { autoscaling: { enabled: true } } });
    for (const manifest of manifests) validate(manifest);
    const autoscaler = find(manifests, 'HorizontalPodAutoscaler', 'hookgate-worker');
    expect(autoscaler.spec.metrics[0].external).toEqual({
      metric: { name: 'hookgate_queue_oldest_waiting_seconds', selector: { matchLabels: { queue: 'delivery' } } },
      target: { type: 'Value', value: '30' },
    });
    expect(find(manifests, 'Deployment', 'hookgate-worker').spec.replicas).toBeUndefined();
  });

  it('renders valid objects with every value of the README’s install command, each of them taking effect', () => {
    const installCommand = /```sh\n(helm upgrade --install[\s\S]*?)```/.exec(chartReadme)?.[1] ?? '';
    const flags = setFlags(installCommand);
    expect(Object.keys(flags).sort()).toEqual(['api', 'config', 'image', 'secrets', 'worker']);
    const manifests = renderChart(chartDirectory, flags).documents.map(({ manifest }) => manifest);
    for (const manifest of manifests) validate(manifest);
    const api = find(manifests, 'Deployment', 'hookgate-api').spec.template.spec.containers[0];
    expect(api.image).toBe('registry.example.com/hookgate:0.1.0');
    const environment = containerEnvironment(manifests, api);
    expect(environment).toEqual(expect.objectContaining({ ...flags.secrets.values, ...flags.config }));
    expect(loadConfig(environment).trustProxy).toBeDefined();
    expect(find(manifests, 'HorizontalPodAutoscaler', 'hookgate-api').spec.maxReplicas).toBe(6);
    expect(find(manifests, 'Deployment', 'hookgate-worker').spec.replicas).toBe(3);
  });

  it('documents every value it has, with the default values.yaml gives', () => {
    const rows = [...chartReadme.matchAll(/^\| `([^|]+)` \| ([^|]*) \|/gm)];
    const documented = rows.flatMap(([, names]) => names.split('`, `'));
    const leaves = (node: unknown, prefix = ''): string[] =>
      node && typeof node === 'object' && !Array.isArray(node) && Object.keys(node).length
        ? Object.entries(node).flatMap(([key, value]) =>
            // A documented map (config, resources, security contexts) stands for its keys.
            documented.includes(`${prefix}${key}`) ? [`${prefix}${key}`] : leaves(value, `${prefix}${key}.`),
          )
        : [prefix.slice(0, -1)];
    expect(documented.sort()).toEqual(leaves(defaults).sort());
    for (const [, names, documentedDefault] of rows) {
      const literal = /^`([^`]*)`$/.exec(documentedDefault.trim())?.[1];
      if (literal === undefined) continue;
      for (const name of names.split('`, `')) {
        const actual = JSON.stringify(valueAt(defaults, name)).replace(/^"(.+)"$/, '$1');
        expect(`${name}: ${literal}`).toBe(`${name}: ${actual}`);
      }
    }
    expect((parse(readFileSync(join(chartDirectory, 'Chart.yaml'), 'utf8')) as Manifest).appVersion).toBe(
      (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version,
    );
  });
});

describe('the chart renderer', () => {
  const renderText = (source: string, values: Manifest = {}): string => {
    const renderer = new ChartRenderer({ Values: values });
    return renderer.render(renderer.parse(source));
  };

  it('renders what Go templates and Helm render for the constructs the chart uses', () => {
    expect(
      renderText('a: {{ .Values.x | quote }}\n{{- if .Values.y }}\nb: 1\n{{- else }}\nb: 2\n{{- end }}', { x: 3 }),
    ).toBe('a: "3"\nb: 2');
    expect(renderText('{{- range $k, $v := .Values.m }}\n{{ $k }}={{ $v }}{{- end }}', { m: { b: 2, a: 1 } })).toBe(
      '\na=1\nb=2',
    );
    expect(
      renderText('{{- define "t" -}}x{{ . }}{{- end }}r: {{ include "t" .Values.v | nindent 2 }}', { v: 'y' }),
    ).toBe('r: \n  xy');
    expect(renderText('{{ default "d" .Values.e }} {{ printf "%s-%s" "a" "b" | trunc 2 }}', { e: '' })).toBe('d a-');
  });

  it.each([
    ['an unknown function', '{{ lower .Values.x }}'],
    ['a missing value printed', '{{ .Values.missing }}'],
    ['a field of a missing value', '{{ .Values.missing.child }}'],
    ['an unclosed block', '{{ if .Values.x }}y'],
    ['a map printed as text', '{{ .Values.m }}'],
  ])('fails on %s rather than render it wrong', (_, source) => {
    expect(() => renderText(source, { x: 'X', m: { a: 1 } })).toThrow(TemplateError);
  });
});
