// Deployment files against the services' own code: the variables they set are ones the code
// reads, every variable the code reads is set or has a default, probes hit real routes, and
// the sampling file Jaeger serves is one mltrace's sampler accepts.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import * as gateway from '@mltrace/gateway';
import * as featureStore from '@mltrace/feature-store';
import * as inference from '@mltrace/inference';
import * as postprocess from '@mltrace/postprocess';
import { checkTools, toolsReady, type ToolCheck } from '@mltrace/jaeger';
import { loadStrategiesFile } from '@mltrace/tracing/sampling';
import { kustomizeBuild, loadCompose, readEnvFile, serviceEnvironment, type K8sResource } from '../src';
import { repoRoot, SERVICES, DEFAULT_PORTS, type ServiceName } from './paths';

type Env = Record<string, string>;
interface ServiceCode {
  loadConfig(env: Env): { port: number; warnings?: string[] };
  buildApp(config: any): FastifyInstance;
}
const code: Record<ServiceName, ServiceCode> = {
  gateway: gateway as unknown as ServiceCode,
  'feature-store': featureStore as unknown as ServiceCode,
  inference: inference as unknown as ServiceCode,
  postprocess: postprocess as unknown as ServiceCode,
};

/** Environment variable names a config.ts reads, found as string literals or `env.NAME`. */
function envNamesIn(file: string): Set<string> {
  const src = readFileSync(file, 'utf8');
  const names = new Set<string>();
  for (const m of src.matchAll(/['"`]([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)['"`]|env\.([A-Z][A-Z0-9_]*)/g)) {
    const name = m[1] ?? m[2]!;
    if (name.length > 2) names.add(name);
  }
  return names;
}

const tracingNames = envNamesIn(join(repoRoot, 'packages/tracing/src/config.ts'));
const namesRead = (svc: ServiceName) => new Set([...envNamesIn(join(repoRoot, 'services', svc, 'src/config.ts')), ...tracingNames]);

/** Runs a config loader collecting its warnings, whether logged or returned in `config.warnings`. */
function warningsOf<T extends { warnings?: string[] }>(fn: () => T): { value: T; warnings: string[] } {
  const warnings: string[] = [];
  const orig = console.warn;
  console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(' '));
  try {
    const value = fn();
    return { value, warnings: [...warnings, ...(value.warnings ?? [])] };
  } finally {
    console.warn = orig;
  }
}

const compose = loadCompose([join(repoRoot, 'docker-compose.yml')], readEnvFile(join(repoRoot, '.env'))).config;
// k8s/base as the real Kustomize renders it (see k8s.test.ts).
let tools: ToolCheck;
let k8sBase: K8sResource[] = [];
before(async () => {
  tools = await checkTools(['kustomize']);
  if (tools.ok) k8sBase = await kustomizeBuild(join(repoRoot, 'k8s', 'base'));
});
const k8sEnv = (svc: ServiceName): Env => {
  const d = k8sBase.find((r) => r.kind === 'Deployment' && r.metadata.name === svc);
  assert.ok(d, `k8s Deployment ${svc}`);
  // Values from the downward API are filled by the kubelet; any non-empty stand-in will do.
  return Object.fromEntries(d.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value ?? `from-${e.name}`]));
};

test('a bad value is caught as a warning by every service', () => {
  for (const svc of SERVICES) {
    const { value, warnings } = warningsOf(() => code[svc].loadConfig({ PORT: 'eighty' }));
    assert.equal(warnings.length, 1, svc);
    assert.match(warnings[0]!, /PORT/);
    assert.equal(value.port, DEFAULT_PORTS[svc]);
  }
});

test('the name scanner finds what a config.ts reads', () => {
  const names = namesRead('gateway');
  for (const n of ['PORT', 'FEATURE_STORE_URL', 'REQUEST_TIMEOUT_MS', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'MLTRACE_TRACES_DIR']) assert.ok(names.has(n), n);
});

for (const svc of SERVICES) {
  const checkSettings = (where: string, env: Env) => {
    const known = namesRead(svc);
    for (const name of Object.keys(env)) {
      if (name.startsWith('K8S_')) continue; // only referenced by OTEL_RESOURCE_ATTRIBUTES
      assert.ok(known.has(name), `${where} sets ${name} for ${svc}, which neither its config.ts nor the tracing config reads`);
    }
    const { value, warnings } = warningsOf(() => code[svc].loadConfig(env));
    assert.deepEqual(warnings, [], `${where} values for ${svc} are accepted without warnings`);
    assert.equal(value.port, DEFAULT_PORTS[svc]);
  };

  test(`${svc}: every variable compose sets is one the code reads, and is valid`, () => {
    checkSettings('compose', serviceEnvironment(compose.services[svc]!) as Env);
  });

  test(`${svc}: every variable k8s sets is one the code reads, and is valid`, (t) => {
    if (!toolsReady(t, tools)) return;
    checkSettings('k8s', k8sEnv(svc));
  });

  test(`${svc}: with an empty environment every setting has a default, and the port is the documented one`, () => {
    const { value, warnings } = warningsOf(() => code[svc].loadConfig({}));
    assert.deepEqual(warnings, []);
    assert.equal(value.port, DEFAULT_PORTS[svc], 'container ports in compose and k8s assume this default');
  });

  test(`${svc}: the probe routes in k8s and the Dockerfile HEALTHCHECK are served`, async (t) => {
    const app = code[svc].buildApp(code[svc].loadConfig({}));
    t.after(() => app.close());
    await app.ready();
    const health = await app.inject({ method: 'GET', url: '/health' });
    assert.equal(health.statusCode, 200, '/health answers 200');
    const ready = await app.inject({ method: 'GET', url: '/ready' });
    assert.ok([200, 503].includes(ready.statusCode), `/ready is a route (got ${ready.statusCode})`);
    const missing = await app.inject({ method: 'GET', url: '/no-such-probe' });
    assert.equal(missing.statusCode, 404, 'an unserved route is told apart');
  });
}

test('the sampling strategies file mounted into Jaeger parses with mltrace\'s own sampler, without warnings', () => {
  const parsed = loadStrategiesFile(join(repoRoot, 'config', 'sampling-strategies.json'));
  assert.deepEqual(parsed.warnings, []);
  const services = (parsed.strategies as any).service_strategies?.map((s: any) => s.service) ?? [];
  for (const svc of SERVICES) assert.ok(services.includes(svc), `a strategy for ${svc}`);
});
