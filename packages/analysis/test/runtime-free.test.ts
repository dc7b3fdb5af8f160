// The analysis and the load generator need only attribute names from the tracing
// package: loading them must not load the OpenTelemetry SDK, an instrumentation
// or the samplers (they cost ~250 modules and ~120 ms at every CLI start).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { modulesLoadedBy, TRACING_RUNTIME_MODULE } from '@mltrace/testkit';

for (const specifier of ['@mltrace/analysis', '@mltrace/loadgen']) {
  test(`require('${specifier}') loads no tracing runtime`, () => {
    const loaded = modulesLoadedBy(specifier, join(__dirname, '..', '..'));
    assert.ok(loaded.length > 1, 'the package itself was loaded');
    assert.deepEqual(loaded.filter((m) => TRACING_RUNTIME_MODULE.test(m)), []);
  });
}
