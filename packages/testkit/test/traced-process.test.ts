import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startTracedProcess } from '../src';

const FIXTURE = join(__dirname, 'fixtures', 'echo-server.js');
const PACKAGE_ROOT = join(__dirname, '..', '..');
/** SPAN_KIND_SERVER in OTLP's enum, as the file exporter writes it. */
const OTLP_SPAN_KIND_SERVER = 2;

test('a traced process: ready, its own tracing settings only, output collected, spans flushed at stop', async (t) => {
  // A collector endpoint of the test runner's own environment must not redirect the child's spans.
  const before = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = 'http://127.0.0.1:1';
  t.after(() => (before === undefined ? delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT : (process.env.OTEL_EXPORTER_OTLP_ENDPOINT = before)));
  const svc = await startTracedProcess(t, { cwd: PACKAGE_ROOT, script: FIXTURE, serviceName: 'echo', readyPath: '/ready' });
  assert.equal(svc.url, `http://127.0.0.1:${svc.port}`);
  assert.deepEqual(await (await fetch(`${svc.url}/env`)).json(), { service: 'echo', otlp: null });
  await svc.waitForOutput('echo-server listening');
  assert.match(svc.stdout(), /listening/);
  assert.equal(await svc.stop(), 0);
  assert.equal(await svc.exited, 0);
  const server = svc.spans().find((s) => s.kind === OTLP_SPAN_KIND_SERVER && s.attributes['url.path'] === '/env');
  assert.equal(server?.serviceName, 'echo', 'the /env request was exported to the temp dir');
  assert.ok(existsSync(svc.tracesDir));
});

test('a process that exits before it is ready fails the start at once, with its output', async (t) => {
  const started = performance.now();
  await assert.rejects(
    startTracedProcess(t, { cwd: PACKAGE_ROOT, script: FIXTURE, serviceName: 'echo', readyPath: '/ready', env: { EXIT_AT_ONCE: '1' } }),
    (err: Error) => {
      assert.match(err.message, /^echo: exited \(3\) before http:\/\/127\.0\.0\.1:\d+\/ready answered/);
      assert.match(err.message, /echo-server: refusing to start/);
      return true;
    },
  );
  assert.ok(performance.now() - started < 10_000, 'no waiting for the readiness timeout');
});
