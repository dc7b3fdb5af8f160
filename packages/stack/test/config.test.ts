import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { DEFAULT_GATEWAY_URL, DEFAULT_SAMPLING_STRATEGIES_FILE, defaultSamplerEnv, loadStackConfig } from '../src/config';

test('defaults with an empty environment, and empty or blank values count as unset', () => {
  for (const env of [{}, { REDIS_URL: '', MLTRACE_GATEWAY_URL: '  ', MLTRACE_SCENARIO: '', MLTRACE_TRACES_DIR: '' }]) {
    const c = loadStackConfig(env);
    assert.equal(c.redisUrl, undefined);
    assert.equal(c.gatewayUrl, DEFAULT_GATEWAY_URL);
    assert.equal(c.scenario, undefined);
    assert.equal(c.tracesDir, undefined);
    assert.deepEqual(c.warnings, []);
  }
});

test('good values are used', () => {
  const c = loadStackConfig({
    REDIS_URL: 'redis://10.0.0.5:6380',
    MLTRACE_GATEWAY_URL: 'http://gw:9080/',
    MLTRACE_SCENARIO: 'cold-model',
    MLTRACE_TRACES_DIR: '/tmp/t',
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318',
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_SERVICE_NAME: 'passed-on',
  });
  assert.equal(c.redisUrl, 'redis://10.0.0.5:6380');
  assert.equal(c.gatewayUrl, 'http://gw:9080');
  assert.equal(c.scenario, 'cold-model');
  assert.equal(c.tracesDir, '/tmp/t');
  assert.equal(c.otlpEndpoint, 'http://jaeger:4318');
  assert.equal(c.tracesExporter, 'otlp');
  assert.equal(c.inherited.OTEL_SERVICE_NAME, 'passed-on', 'the rest of the environment is passed on to the services');
  assert.equal(c.inherited.MLTRACE_SCENARIO, 'cold-model');
  assert.equal(loadStackConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b/v1/traces' }).otlpEndpoint, 'http://b/v1/traces');
});

test('a bad value gives one warning naming it and the fallback', () => {
  const c = loadStackConfig({ REDIS_URL: 'localhost:6379', MLTRACE_GATEWAY_URL: 'gateway' });
  assert.equal(c.warnings.length, 2, c.warnings.join('\n'));
  assert.match(c.warnings[0] ?? '', /^REDIS_URL="localhost:6379" is not a redis:\/\/ URL; ignoring it$/);
  assert.match(c.warnings[1] ?? '', /^MLTRACE_GATEWAY_URL="gateway" is not an http\(s\) URL; using http:\/\/127\.0\.0\.1:8080$/);
  assert.equal(c.redisUrl, undefined);
  assert.equal(c.gatewayUrl, DEFAULT_GATEWAY_URL);
  assert.equal(c.inherited.REDIS_URL, 'localhost:6379', 'passed on as it is; the feature store judges its own REDIS_URL');
  assert.equal(loadStackConfig({ MLTRACE_SCENARIO: '  ' }).inherited.MLTRACE_SCENARIO, undefined, 'a blank scenario is unset for the services too');
});

test('the default sampler: the strategies file unless the caller chose a sampler', () => {
  assert.ok(existsSync(DEFAULT_SAMPLING_STRATEGIES_FILE), DEFAULT_SAMPLING_STRATEGIES_FILE);
  assert.deepEqual(defaultSamplerEnv({}), { MLTRACE_SAMPLING_STRATEGIES_FILE: DEFAULT_SAMPLING_STRATEGIES_FILE });
  assert.deepEqual(defaultSamplerEnv({ OTEL_TRACES_SAMPLER: '', MLTRACE_SAMPLING_STRATEGIES_FILE: ' ' }), { MLTRACE_SAMPLING_STRATEGIES_FILE: DEFAULT_SAMPLING_STRATEGIES_FILE });
  for (const chosen of [{ OTEL_TRACES_SAMPLER: 'always_off' }, { MLTRACE_SAMPLING_STRATEGIES_FILE: '/my/strategies.json' }, { MLTRACE_SAMPLING_REMOTE_URL: 'http://sampler:5778' }]) {
    assert.deepEqual(defaultSamplerEnv(chosen), {}, JSON.stringify(chosen));
  }
  // The overhead lab's shape: a sampler named, the strategies file blanked; it must get exactly that sampler.
  assert.deepEqual(defaultSamplerEnv({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.01', MLTRACE_SAMPLING_STRATEGIES_FILE: '', MLTRACE_SAMPLING_REMOTE_URL: '' }), {});
});
