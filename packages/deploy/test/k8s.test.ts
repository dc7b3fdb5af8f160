import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { checkTools, toolsReady, type ToolCheck } from '@mltrace/jaeger';
import { kustomizeBuild, validateResource, type K8sResource } from '../src';
import { repoRoot, SERVICES, DEFAULT_PORTS } from './paths';

const k8s = join(repoRoot, 'k8s');
const KUSTOMIZATIONS: Record<string, string> = {
  base: join(k8s, 'base'),
  'jaeger-allinone': join(k8s, 'overlays', 'jaeger-allinone'),
  'jaeger-production': join(k8s, 'overlays', 'jaeger-production'),
};
// Rendered by the real Kustomize; without Go to build it the tests below fail in CI, skip elsewhere.
let tools: ToolCheck;
const builds: Record<string, K8sResource[]> = {};
before(async () => {
  tools = await checkTools(['kustomize']);
  if (!tools.ok) return;
  for (const [name, dir] of Object.entries(KUSTOMIZATIONS)) builds[name] = await kustomizeBuild(dir);
});

const podTemplate = (r: K8sResource): any =>
  r.kind === 'CronJob' ? r.spec.jobTemplate.spec.template : r.spec?.template;
const workloads = (rs: K8sResource[]) => rs.filter((r) => ['Deployment', 'StatefulSet', 'Job', 'CronJob'].includes(r.kind));
const find = (rs: K8sResource[], kind: string, name: string) => {
  const r = rs.find((x) => x.kind === kind && x.metadata.name === name);
  assert.ok(r, `${kind}/${name} exists`);
  return r;
};
const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

for (const name of Object.keys(KUSTOMIZATIONS)) {
  test(`${name}: every manifest validates against the Kubernetes OpenAPI schema for its kind`, async (t) => {
    if (!toolsReady(t, tools)) return;
    const resources = builds[name]!;
    assert.ok(resources.length > 5);
    for (const r of resources) {
      await validateResource(r).catch((e: unknown) => assert.fail(`${r.__source}: ${r.kind}/${r.metadata.name}: ${String(e)}`));
    }
  });

  test(`${name}: selectors agree with pod labels, Services find their pods and ports`, (t) => {
    if (!toolsReady(t, tools)) return;
    const resources = builds[name]!;
    for (const w of workloads(resources)) {
      const labels = podTemplate(w).metadata?.labels;
      if (w.spec.selector) assert.ok(matches(w.spec.selector.matchLabels, labels), `${w.kind}/${w.metadata.name} selector matches its template`);
    }
    for (const svc of resources.filter((r) => r.kind === 'Service')) {
      const pods = workloads(resources).filter((w) => matches(svc.spec.selector, podTemplate(w).metadata?.labels));
      assert.ok(pods.length > 0, `Service/${svc.metadata.name} selects some pods`);
      const portNames = new Set<string>(pods.flatMap((w) => podTemplate(w).spec.containers.flatMap((c: any) => (c.ports ?? []).map((p: any) => p.name))));
      for (const p of svc.spec.ports) {
        if (typeof p.targetPort === 'string') assert.ok(portNames.has(p.targetPort), `Service/${svc.metadata.name} targets named port ${p.targetPort}`);
      }
    }
    for (const hpa of resources.filter((r) => r.kind === 'HorizontalPodAutoscaler')) {
      find(resources, hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name);
    }
    for (const w of workloads(resources)) {
      for (const v of podTemplate(w).spec.volumes ?? []) {
        if (v.configMap) find(resources, 'ConfigMap', v.configMap.name);
      }
    }
  });

  test(`${name}: every container runs as non-root with a read-only root filesystem where it can`, (t) => {
    if (!toolsReady(t, tools)) return;
    const resources = builds[name]!;
    for (const w of workloads(resources)) {
      const spec = podTemplate(w).spec;
      assert.equal(spec.securityContext?.runAsNonRoot, true, `${w.kind}/${w.metadata.name} runAsNonRoot`);
      for (const c of spec.containers) {
        assert.equal(c.securityContext?.allowPrivilegeEscalation, false, `${w.metadata.name}/${c.name} no privilege escalation`);
        assert.ok(c.resources?.requests && c.resources?.limits, `${w.metadata.name}/${c.name} has requests and limits`);
      }
    }
  });
}

for (const svc of SERVICES) {
  test(`k8s ${svc}: probes, port, downward-API resource attributes, OTLP endpoint`, (t) => {
    if (!toolsReady(t, tools)) return;
    const base = builds.base!;
    const d = find(base, 'Deployment', svc);
    const c = d.spec.template.spec.containers[0];
    const port = c.ports.find((p: any) => p.name === 'http');
    assert.equal(port.containerPort, DEFAULT_PORTS[svc]);
    assert.equal(c.readinessProbe.httpGet.path, '/ready');
    assert.equal(c.livenessProbe.httpGet.path, '/health');
    assert.equal(c.securityContext.readOnlyRootFilesystem, true);
    const env = Object.fromEntries(c.env.map((e: any) => [e.name, e]));
    assert.equal(env.OTEL_SERVICE_NAME.value, svc);
    assert.equal(env.K8S_POD_NAME.valueFrom.fieldRef.fieldPath, 'metadata.name');
    assert.equal(env.K8S_NAMESPACE_NAME.valueFrom.fieldRef.fieldPath, 'metadata.namespace');
    assert.match(env.OTEL_RESOURCE_ATTRIBUTES.value, /k8s\.pod\.name=\$\(K8S_POD_NAME\)/);
    assert.match(env.OTEL_RESOURCE_ATTRIBUTES.value, /k8s\.namespace\.name=\$\(K8S_NAMESPACE_NAME\)/);
    assert.equal(Number(env.PORT.value), DEFAULT_PORTS[svc]);
    // Both overlays provide a Service of this name, so base stays backend-agnostic.
    assert.equal(env.OTEL_EXPORTER_OTLP_ENDPOINT.value, 'http://jaeger-collector:4318');
    const service = find(base, 'Service', svc);
    assert.equal(service.spec.ports[0].port, DEFAULT_PORTS[svc]);
  });
}

test('k8s base: HPAs for gateway and inference, a seed Job, Redis with a volume, everything in the mltrace namespace', (t) => {
  if (!toolsReady(t, tools)) return;
  const base = builds.base!;
  const targets = base.filter((r) => r.kind === 'HorizontalPodAutoscaler').map((r) => r.spec.scaleTargetRef.name).sort();
  assert.deepEqual(targets, ['gateway', 'inference']);
  const seed = find(base, 'Job', 'seed-features');
  assert.deepEqual(seed.spec.template.spec.containers[0].command.slice(-1), ['dist/src/bin/seed.js']);
  const redis = base.find((r) => r.metadata.name === 'redis' && (r.kind === 'StatefulSet' || r.kind === 'Deployment'));
  assert.ok(redis?.spec.volumeClaimTemplates?.length || redis?.spec.template.spec.volumes?.some((v: any) => v.persistentVolumeClaim));
  for (const r of base) if (r.kind !== 'Namespace') assert.equal(r.metadata.namespace, 'mltrace');
});

test('both overlays expose jaeger-collector (OTLP + sampling) and jaeger-query (UI)', (t) => {
  if (!toolsReady(t, tools)) return;
  for (const name of ['jaeger-allinone', 'jaeger-production']) {
    const rs = builds[name]!;
    const col = find(rs, 'Service', 'jaeger-collector');
    assert.deepEqual(col.spec.ports.map((p: any) => p.port).filter((p: number) => [4317, 4318, 5778].includes(p)).sort(), [4317, 4318, 5778]);
    const q = find(rs, 'Service', 'jaeger-query');
    assert.ok(q.spec.ports.some((p: any) => p.port === 16686));
  }
  const prod = builds['jaeger-production']!;
  assert.ok(find(prod, 'Deployment', 'jaeger-collector').spec.replicas >= 2, 'collector replicas');
  find(prod, 'StatefulSet', 'opensearch');
  find(prod, 'CronJob', 'jaeger-index-cleaner');
  const sm = find(prod, 'ServiceMonitor', 'jaeger');
  const monitored = prod.filter((r) => r.kind === 'Service' && sm.spec.selector.matchExpressions[0].values.includes(r.metadata.labels?.['app.kubernetes.io/name']));
  assert.ok(monitored.length >= 1);
  for (const s of monitored) assert.ok(s.spec.ports.some((p: any) => p.name === sm.spec.endpoints[0].port), `${s.metadata.name} exposes the scraped port`);
});

test('ConfigMaps carry the same files as the repository', (t) => {
  if (!toolsReady(t, tools)) return;
  const base = builds.base!;
  const allinone = find(builds['jaeger-allinone']!, 'ConfigMap', 'jaeger-config');
  assert.deepEqual(parse(allinone.data!['config.yaml']!), parse(readFileSync(join(repoRoot, 'deploy/jaeger/config.yaml'), 'utf8')));
  const sampling = find(base, 'ConfigMap', 'sampling-strategies');
  assert.deepEqual(JSON.parse(sampling.data!['sampling-strategies.json']!), JSON.parse(readFileSync(join(repoRoot, 'config/sampling-strategies.json'), 'utf8')));
});

test('the schema check rejects a malformed manifest', async (t) => {
  if (!toolsReady(t, tools)) return;
  const base = builds.base!;
  const d = structuredClone(find(base, 'Deployment', 'gateway')) as K8sResource;
  d.spec.template.spec.containers[0].ports[0].containerPort = 'eighty';
  await assert.rejects(validateResource(d), /containerPort/);
});
