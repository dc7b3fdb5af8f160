import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadWorkshopConfig } from '../src';

test('the lab directory is under the current one unless MLTRACE_LAB_DIR says otherwise; empty is unset', () => {
  assert.equal(loadWorkshopConfig({}, '/w').labDir, '/w/.mltrace/lab');
  assert.equal(loadWorkshopConfig({ MLTRACE_LAB_DIR: ' ' }, '/w').labDir, '/w/.mltrace/lab');
  assert.equal(loadWorkshopConfig({ MLTRACE_LAB_DIR: 'elsewhere' }, '/w').labDir, '/w/elsewhere');
});

test('MLTRACE_LAB_PORTS=auto picks free ports; another value warns once and keeps 8080–8083', () => {
  assert.equal(loadWorkshopConfig({ MLTRACE_LAB_PORTS: 'auto' }, '/w').autoPorts, true);
  const bad = loadWorkshopConfig({ MLTRACE_LAB_PORTS: '9000' }, '/w');
  assert.equal(bad.autoPorts, false);
  assert.deepEqual(bad.warnings, ['MLTRACE_LAB_PORTS="9000" is neither auto nor default; using 8080–8083']);
});

test('an OTLP endpoint sends the traces to Jaeger; a strategies file of the learner\'s own is made absolute', () => {
  const c = loadWorkshopConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318', MLTRACE_SAMPLING_STRATEGIES_FILE: 'mine.json' }, '/w');
  assert.equal(c.otlpEndpoint, 'http://localhost:4318');
  assert.equal(c.strategiesFile, '/w/mine.json');
  assert.equal(loadWorkshopConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://j:4318/v1/traces', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x' }, '/w').otlpEndpoint, 'http://j:4318/v1/traces');
});
