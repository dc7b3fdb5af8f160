// How a repository config is derived for this machine: only listening addresses, the strategies
// file, exporter targets and self-metrics change; every other key stays as the file says.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import { COLLECTOR_CONFIG_FILE, deriveBackendConfig, JAEGER_CONFIG_FILE } from '../src';

const jaegerYaml = readFileSync(JAEGER_CONFIG_FILE, 'utf8');

test('deploy/jaeger: every listening port moved to loopback, hidden gRPC ports named, the rest untouched', () => {
  const next = new Map([[4317, 41317], [4318, 41318], [16686, 46686], [5778, 45778], [13133, 43133], [16685, 46685], [5779, 45779]]);
  const { yaml, ports } = deriveBackendConfig(jaegerYaml, { port: (p) => next.get(p) ?? 1, samplingFile: '/repo/config/sampling-strategies.json', internalMetrics: false });
  const c = parse(yaml);
  assert.equal(c.receivers.otlp.protocols.grpc.endpoint, '127.0.0.1:41317');
  assert.equal(c.receivers.otlp.protocols.http.endpoint, '127.0.0.1:41318');
  assert.equal(c.extensions.jaeger_query.http.endpoint, '127.0.0.1:46686');
  assert.equal(c.extensions.jaeger_query.grpc.endpoint, '127.0.0.1:46685');
  assert.equal(c.extensions.remote_sampling.http.endpoint, '127.0.0.1:45778');
  assert.equal(c.extensions.remote_sampling.grpc.endpoint, '127.0.0.1:45779');
  assert.equal(c.extensions.remote_sampling.file.path, '/repo/config/sampling-strategies.json');
  assert.equal(c.extensions.healthcheckv2.http.endpoint, '127.0.0.1:43133');
  assert.deepEqual(c.service.telemetry.metrics, { level: 'none' });
  assert.deepEqual([...ports.keys()].sort((a, b) => a - b), [4317, 4318, 5778, 5779, 13133, 16685, 16686]);

  // Everything else is the repository's file.
  const original = parse(jaegerYaml);
  assert.deepEqual(c.service.pipelines, original.service.pipelines);
  assert.deepEqual(c.service.extensions, original.service.extensions);
  assert.deepEqual(c.extensions.jaeger_storage, original.extensions.jaeger_storage);
  assert.equal(c.extensions.remote_sampling.file.reload_interval, original.extensions.remote_sampling.file.reload_interval);
  assert.deepEqual(c.exporters, original.exporters);
});

test('as configured: the sandbox ports stay, only the host changes', () => {
  const c = parse(deriveBackendConfig(jaegerYaml).yaml);
  assert.equal(c.receivers.otlp.protocols.grpc.endpoint, '127.0.0.1:4317');
  assert.equal(c.receivers.otlp.protocols.http.endpoint, '127.0.0.1:4318');
  assert.equal(c.extensions.jaeger_query.http.endpoint, '127.0.0.1:16686');
  assert.equal(c.extensions.remote_sampling.http.endpoint, '127.0.0.1:5778');
  assert.equal(c.service.telemetry.metrics, undefined, 'self-metrics left as the file says');
});

test('deploy/collector: the exporter goes to the given Jaeger, policies untouched', () => {
  const text = readFileSync(COLLECTOR_CONFIG_FILE, 'utf8');
  const c = parse(deriveBackendConfig(text, { exporterEndpoints: { otlphttp: 'http://127.0.0.1:9999' } }).yaml);
  assert.equal(c.exporters['otlphttp/jaeger'].endpoint, 'http://127.0.0.1:9999');
  assert.equal(c.receivers.otlp.protocols.http.endpoint, '127.0.0.1:4318');
  assert.deepEqual(c.processors, parse(text).processors);
});

test('a file that is not a mapping is refused', () => {
  assert.throws(() => deriveBackendConfig('- just\n- a list\n'), /not a collector configuration/);
});
