// The analysis and the load generator need only attribute names from the tracing
// package: loading them must not load the OpenTelemetry SDK, an instrumentation
// or the samplers (they cost ~250 modules and ~120 ms at every CLI start).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const RUNTIME = /@opentelemetry[\\/](sdk-|instrumentation|exporter-|core|resources|context-async-hooks)|@fastify[\\/]otel|[\\/]tracing[\\/]dist[\\/]src[\\/](sampling|sdk|instrumentations)[\\/.]/;

for (const specifier of ['@mltrace/analysis', '@mltrace/loadgen']) {
  test(`require('${specifier}') loads no tracing runtime`, () => {
    const out = execFileSync(process.execPath, ['-e', `require(${JSON.stringify(specifier)}); console.log(JSON.stringify(Object.keys(require.cache)))`], {
      cwd: join(__dirname, '..', '..'),
      encoding: 'utf8',
    });
    const loaded = JSON.parse(out) as string[];
    assert.ok(loaded.length > 1, 'the package itself was loaded');
    assert.deepEqual(loaded.filter((m) => RUNTIME.test(m)), []);
  });
}
