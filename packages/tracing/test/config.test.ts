import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTracingConfig } from '../src/config';

function read(env: Record<string, string>, cwd = '/nonexistent') {
  const warnings: string[] = [];
  return { config: readTracingConfig(env, (w) => warnings.push(w), cwd), warnings };
}

test('defaults: file exporter under the cwd, curated set, 2048/512 batch settings, all propagators', () => {
  const { config, warnings } = read({});
  assert.deepEqual(warnings, []);
  assert.equal(config.disabled, false);
  assert.deepEqual(config.exporters, ['file']);
  assert.equal(config.tracesDir, '/nonexistent/.mltrace/traces');
  assert.equal(config.instrumentations, 'curated');
  assert.equal(config.bsp.maxQueueSize, 2048);
  assert.equal(config.bsp.maxExportBatchSize, 512);
  assert.equal(config.shutdownTimeoutMs, 2000);
  assert.equal(config.bsp.scheduledDelayMillis, 500, 'a killed process loses at most ~0.5 s of spans');
  assert.equal(config.dropReportIntervalMs, 5000);
  assert.equal(config.samplerFollowsParent, true, 'parentbased_always_on');
  assert.equal(config.otlpProtocol, 'http/protobuf');
  assert.deepEqual(config.propagators, ['tracecontext', 'baggage', 'jaeger', 'xheaders']);
  assert.equal(config.serviceName, 'unknown_service');
  assert.equal(config.sampling.strategiesFile, undefined);
  assert.deepEqual(config.sdkSampler, { name: 'parentbased_always_on', ratio: 1 });
  assert.deepEqual(config.spanLimits, {}, "the SDK's own limits");
  assert.deepEqual(config.resourceDetectors, ['env', 'host', 'os', 'process', 'serviceinstance']);
  assert.equal(config.logLevel, undefined);
});

test('an OTLP endpoint switches the default exporter to otlp; OTEL_TRACES_EXPORTER overrides both', () => {
  assert.deepEqual(read({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).config.exporters, ['otlp']);
  assert.deepEqual(read({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' }).config.exporters, ['otlp']);
  assert.deepEqual(read({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'file,console' }).config.exporters, ['file', 'console']);
  assert.deepEqual(read({ OTEL_TRACES_EXPORTER: 'none' }).config.exporters, []);
  const bad = read({ OTEL_EXPORTER_OTLP_ENDPOINT: 'jaeger 4318' });
  assert.deepEqual(bad.config.exporters, ['file']);
  assert.match(bad.warnings.join('\n'), /^OTEL_EXPORTER_OTLP_ENDPOINT="jaeger 4318" is not a URL/);
});

test('empty strings count as unset', () => {
  const { config, warnings } = read({ OTEL_TRACES_EXPORTER: '', OTEL_SERVICE_NAME: ' ', OTEL_BSP_MAX_QUEUE_SIZE: '', OTEL_SDK_DISABLED: '', MLTRACE_TRACES_DIR: '' });
  assert.deepEqual(warnings, []);
  assert.deepEqual(config.exporters, ['file']);
  assert.equal(config.bsp.maxQueueSize, 2048);
  assert.equal(config.disabled, false);
});

test('bad values: one warning each, naming the variable, and the default', () => {
  const { config, warnings } = read({
    OTEL_TRACES_EXPORTER: 'zipkin',
    OTEL_BSP_MAX_QUEUE_SIZE: '-3',
    OTEL_SDK_DISABLED: 'maybe',
    MLTRACE_INSTRUMENTATIONS: 'most',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'thrift',
    MLTRACE_SHUTDOWN_TIMEOUT_MS: '1.5',
    OTEL_PROPAGATORS: 'tracecontext,b3',
  });
  assert.equal(warnings.length, 7, warnings.join('\n'));
  for (const name of ['OTEL_TRACES_EXPORTER', 'OTEL_BSP_MAX_QUEUE_SIZE', 'OTEL_SDK_DISABLED', 'MLTRACE_INSTRUMENTATIONS', 'OTEL_EXPORTER_OTLP_PROTOCOL', 'MLTRACE_SHUTDOWN_TIMEOUT_MS', 'OTEL_PROPAGATORS']) {
    assert.equal(warnings.filter((w) => w.startsWith(name)).length, 1, name);
  }
  assert.deepEqual(config.exporters, ['file']);
  assert.equal(config.bsp.maxQueueSize, 2048);
  assert.equal(config.disabled, false);
  assert.equal(config.instrumentations, 'curated');
  assert.equal(config.otlpProtocol, 'http/protobuf');
  assert.equal(config.shutdownTimeoutMs, 2000);
  assert.deepEqual(config.propagators, ['tracecontext']);
});

test('service identity: OTEL_SERVICE_NAME, then OTEL_RESOURCE_ATTRIBUTES, then the cwd package.json', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mltrace-cfg-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: '@mltrace/gateway', version: '1.2.3' }));
  const fromPkg = read({}, dir).config;
  assert.equal(fromPkg.serviceName, 'gateway');
  assert.equal(fromPkg.serviceVersion, '1.2.3');
  const fromAttrs = read({ OTEL_RESOURCE_ATTRIBUTES: 'service.name=svc-a,service.version=9.9,deployment.environment.name=staging' }, dir).config;
  assert.equal(fromAttrs.serviceName, 'svc-a');
  assert.equal(fromAttrs.serviceVersion, '9.9');
  assert.equal(fromAttrs.environment, 'staging');
  assert.equal(read({ OTEL_SERVICE_NAME: 'explicit', OTEL_RESOURCE_ATTRIBUTES: 'service.name=svc-a' }, dir).config.serviceName, 'explicit');
});

test('sampling, disabled flag and relative paths', () => {
  const { config, warnings } = read({
    OTEL_SDK_DISABLED: 'TRUE',
    MLTRACE_SAMPLING_STRATEGIES_FILE: 'conf/strategies.json',
    MLTRACE_SAMPLING_REMOTE_URL: 'http://jaeger:5778/sampling',
    MLTRACE_SAMPLING_REMOTE_POLL_MS: '2500',
    MLTRACE_TRACES_DIR: 'out/traces',
    MLTRACE_INSTRUMENTATIONS: 'all',
  });
  assert.deepEqual(warnings, []);
  assert.equal(config.disabled, true);
  assert.equal(config.sampling.strategiesFile, '/nonexistent/conf/strategies.json');
  assert.equal(config.sampling.remoteUrl, 'http://jaeger:5778/sampling');
  assert.equal(config.sampling.remotePollMs, 2500);
  assert.equal(config.tracesDir, '/nonexistent/out/traces');
  assert.equal(config.instrumentations, 'all');
});

test('OTEL_TRACES_SAMPLER(_ARG): supported values pass, bad ones warn once', () => {
  assert.deepEqual(read({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' }).warnings, []);
  assert.deepEqual(read({ OTEL_TRACES_SAMPLER: 'always_off' }).warnings, []);
  assert.deepEqual(read({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' }).config.sdkSampler, { name: 'parentbased_traceidratio', ratio: 0.25 });
  const unknown = read({ OTEL_TRACES_SAMPLER: 'jaeger_remote' });
  assert.equal(unknown.warnings.length, 1);
  assert.match(unknown.warnings[0]!, /^OTEL_TRACES_SAMPLER="jaeger_remote"/);
  assert.deepEqual(unknown.config.sdkSampler, { name: 'parentbased_always_on', ratio: 1 });
  const badArg = read({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '5' });
  assert.equal(badArg.warnings.length, 1);
  assert.match(badArg.warnings[0]!, /^OTEL_TRACES_SAMPLER_ARG="5"/);
  assert.deepEqual(badArg.config.sdkSampler, { name: 'traceidratio', ratio: 1 });
});

test('span limits: the OTEL_SPAN_* name before the general OTEL_ATTRIBUTE_* one; a bad value warns and is left to the SDK', () => {
  const { config, warnings } = read({ OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '40', OTEL_ATTRIBUTE_COUNT_LIMIT: '9', OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '256', OTEL_SPAN_EVENT_COUNT_LIMIT: 'many' });
  assert.deepEqual(config.spanLimits, { attributeCountLimit: 40, attributeValueLengthLimit: 256 });
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /^OTEL_SPAN_EVENT_COUNT_LIMIT="many" is not an integer/);
});

test('OTEL_NODE_RESOURCE_DETECTORS: all, none, or names; an unknown name warns and is skipped', () => {
  assert.deepEqual(read({ OTEL_NODE_RESOURCE_DETECTORS: 'none' }).config.resourceDetectors, []);
  assert.deepEqual(read({ OTEL_NODE_RESOURCE_DETECTORS: 'os,all' }).config.resourceDetectors.length, 5);
  const some = read({ OTEL_NODE_RESOURCE_DETECTORS: 'env, host,gcp' });
  assert.deepEqual(some.config.resourceDetectors, ['env', 'host']);
  assert.equal(some.warnings.length, 1);
  assert.match(some.warnings[0]!, /^OTEL_NODE_RESOURCE_DETECTORS: gcp not supported/);
});

test('X-headers are read by default and written only when OTEL_PROPAGATORS names xheaders', () => {
  assert.equal(read({}).config.writeXHeaders, false);
  assert.equal(read({ OTEL_PROPAGATORS: 'tracecontext,baggage' }).config.writeXHeaders, false);
  const explicit = read({ OTEL_PROPAGATORS: 'tracecontext,baggage,xheaders' }).config;
  assert.equal(explicit.writeXHeaders, true);
  assert.deepEqual(explicit.propagators, ['tracecontext', 'baggage', 'xheaders']);
});

test('samplerFollowsParent: parent-based samplers, always_off and mltrace\'s sampler skip spans under unsampled parents', () => {
  for (const [env, follows] of [
    [{ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' }, true],
    [{ OTEL_TRACES_SAMPLER: 'always_off' }, true],
    [{ OTEL_TRACES_SAMPLER: 'always_on' }, false],
    [{ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.5' }, false],
    [{ OTEL_TRACES_SAMPLER: 'always_on', MLTRACE_SAMPLING_STRATEGIES_FILE: 's.json' }, true],
  ] as const) {
    assert.equal(read(env).config.samplerFollowsParent, follows, JSON.stringify(env));
  }
});
