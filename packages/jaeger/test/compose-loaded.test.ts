// docker-compose.yml and the collector overlay as Docker Compose itself loads them (compose-go, the
// loader of `docker compose config`): they load, interpolate from .env, merge, and wire the
// services to Jaeger and the collector on the ports their configurations listen on.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'yaml';
import {
  checkTools,
  COLLECTOR_CONFIG_FILE,
  COMPOSE_COLLECTOR_FILE,
  COMPOSE_FILE,
  composeConfig,
  JAEGER_CONFIG_FILE,
  SAMPLING_STRATEGIES_FILE,
  toolsReady,
  type ToolCheck,
} from '../src';
import { REPO_ROOT } from '@mltrace/stack';

const SERVICES = ['feature-store', 'inference', 'postprocess', 'gateway'];
const tmp = mkdtempSync(join(tmpdir(), 'mltrace-compose-'));
let tools: ToolCheck;
let base: any;
let overlay: any;

const dotenv = Object.fromEntries(
  readFileSync(join(REPO_ROOT, '.env'), 'utf8')
    .split('\n')
    .filter((l) => /^\w+=/.test(l))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
);
const jaegerConfig = parse(readFileSync(JAEGER_CONFIG_FILE, 'utf8'));
const collectorConfig = parse(readFileSync(COLLECTOR_CONFIG_FILE, 'utf8'));
const portOf = (endpoint: string) => Number(/:(\d+)$/.exec(endpoint)?.[1]);

before(async () => {
  tools = await checkTools(['compose-config']);
  if (!tools.ok) return;
  [base, overlay] = await Promise.all([
    composeConfig([COMPOSE_FILE], { projectDir: REPO_ROOT }),
    composeConfig([COMPOSE_FILE, COMPOSE_COLLECTOR_FILE], { projectDir: REPO_ROOT }),
  ]);
});
after(() => rmSync(tmp, { recursive: true, force: true }));

const mount = (svc: any, target: string) => svc.volumes?.find((v: any) => v.target === target);

test('docker-compose.yml loads: every service, images and ports from .env', (t) => {
  if (!toolsReady(t, tools)) return;
  assert.equal(base.name, dotenv.COMPOSE_PROJECT_NAME);
  assert.deepEqual(Object.keys(base.services).sort(), ['feature-store', 'gateway', 'inference', 'jaeger', 'load', 'postprocess', 'redis', 'seed']);
  assert.equal(base.services.jaeger.image, `jaegertracing/jaeger:${dotenv.JAEGER_VERSION}`);
  assert.deepEqual(base.services.load.profiles, ['load']);
  const published = base.services.gateway.ports.map((p: any) => [p.target, Number(p.published)]);
  assert.deepEqual(published, [[Number(dotenv.GATEWAY_PORT), Number(dotenv.GATEWAY_HOST_PORT)]]);
  assert.equal(base.services.gateway.environment.FEATURE_STORE_URL, `http://feature-store:${dotenv.FEATURE_STORE_PORT}`);
});

test('Jaeger mounts the repository config and strategies where the config and command expect them', (t) => {
  if (!toolsReady(t, tools)) return;
  const j = base.services.jaeger;
  const configTarget = j.command[j.command.indexOf('--config') + 1];
  const config = mount(j, configTarget);
  assert.equal(config?.source, JAEGER_CONFIG_FILE);
  assert.equal(config.read_only, true);
  const strategies = mount(j, jaegerConfig.extensions.remote_sampling.file.path);
  assert.equal(strategies?.source, SAMPLING_STRATEGIES_FILE, 'the strategies file is mounted at the path remote_sampling reads');
  assert.deepEqual(j.ports.map((p: any) => p.target), [portOf(jaegerConfig.extensions.jaeger_query.http.endpoint)]);
  assert.equal(Number(j.ports[0].published), Number(dotenv.JAEGER_UI_HOST_PORT));
});

test('every service exports to Jaeger and polls its sampling endpoint on the ports Jaeger listens on', (t) => {
  if (!toolsReady(t, tools)) return;
  const otlpHttp = portOf(jaegerConfig.receivers.otlp.protocols.http.endpoint);
  const sampling = portOf(jaegerConfig.extensions.remote_sampling.http.endpoint);
  for (const name of SERVICES) {
    const env = base.services[name].environment;
    assert.equal(env.OTEL_EXPORTER_OTLP_ENDPOINT, `http://jaeger:${otlpHttp}`, name);
    assert.equal(env.MLTRACE_SAMPLING_REMOTE_URL, `http://jaeger:${sampling}/sampling`, name);
    assert.equal(env.OTEL_SERVICE_NAME, name);
    assert.ok(base.services.jaeger.expose.map(String).includes(String(otlpHttp)));
  }
});

test('the collector overlay: a collector with the repository config between the services and Jaeger', (t) => {
  if (!toolsReady(t, tools)) return;
  const c = overlay.services['otel-collector'];
  assert.equal(c.image, `otel/opentelemetry-collector-contrib:${dotenv.OTEL_COLLECTOR_VERSION}`);
  const configTarget = c.command[c.command.indexOf('--config') + 1];
  assert.equal(mount(c, configTarget)?.source, COLLECTOR_CONFIG_FILE);
  const collectorHttp = portOf(collectorConfig.receivers.otlp.protocols.http.endpoint);
  for (const name of SERVICES) {
    const svc = overlay.services[name];
    assert.equal(svc.environment.OTEL_EXPORTER_OTLP_ENDPOINT, `http://otel-collector:${collectorHttp}`, name);
    assert.equal(svc.environment.OTEL_TRACES_SAMPLER, 'parentbased_always_on', name);
    assert.equal(svc.environment.MLTRACE_SAMPLING_REMOTE_URL, '', `${name}: head sampling off, the collector decides`);
    assert.ok(svc.depends_on['otel-collector'], `${name} waits for the collector`);
    // The overlay adds to the base's dependencies, it does not replace them.
    for (const dep of Object.keys(base.services[name].depends_on ?? {})) assert.ok(svc.depends_on[dep], `${name} still waits for ${dep}`);
    assert.equal(svc.environment.OTEL_SERVICE_NAME, name);
  }
  // The collector's exporter reaches Jaeger's OTLP/HTTP receiver by its compose name.
  const target = new URL(collectorConfig.exporters['otlphttp/jaeger'].endpoint);
  assert.ok(overlay.services[target.hostname], `${target.hostname} is a compose service`);
  assert.equal(Number(target.port), portOf(jaegerConfig.receivers.otlp.protocols.http.endpoint));
});

test("Compose's loader rejects what Docker Compose would: an unknown key, a dependency on no service", async (t) => {
  if (!toolsReady(t, tools)) return;
  const typo = join(tmp, 'typo.yml');
  writeFileSync(typo, 'services:\n  a:\n    image: x\n    enviroment:\n      A: b\n');
  await assert.rejects(composeConfig([typo]), /enviroment/);
  const dangling = join(tmp, 'dangling.yml');
  writeFileSync(dangling, 'services:\n  a:\n    image: x\n    depends_on: [nope]\n');
  await assert.rejects(composeConfig([dangling]), /nope/);
});
