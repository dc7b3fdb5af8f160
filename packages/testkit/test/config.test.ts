import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inheritedEnvironment } from '../src/config';

test("the inherited environment drops the runner's OTEL_* and MLTRACE_* settings and keeps the rest", () => {
  const env = { PATH: '/bin', HOME: '/root', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_SAMPLER: 'always_off', MLTRACE_SCENARIO: 'cold-model', REDIS_URL: 'redis://x' };
  assert.deepEqual(inheritedEnvironment(env), { PATH: '/bin', HOME: '/root', REDIS_URL: 'redis://x' });
  assert.ok(Object.keys(inheritedEnvironment()).every((name) => !/^(OTEL|MLTRACE)_/.test(name)));
});
