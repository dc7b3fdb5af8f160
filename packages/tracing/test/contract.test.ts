// The tracing package's contract apart from its runtime: attribute names load no
// SDK; the unstable semconv keys copied into src/semconv.ts match the package;
// the installed @opentelemetry/api is one the SDK accepts (an API outside the
// SDK's peer range makes every span silently non-recording).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { satisfies } from 'semver';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import * as incubating from '@opentelemetry/semantic-conventions/incubating';
import { modulesLoadedBy, TRACING_RUNTIME_MODULE } from '@mltrace/testkit';
import * as semconv from '../src/semconv';

const PKG_ROOT = join(__dirname, '..', '..');


for (const specifier of ['@mltrace/tracing/attributes', '@mltrace/tracing/semconv']) {
  test(`${specifier} loads no SDK, instrumentation or sampler module`, () => {
    const loaded = modulesLoadedBy(specifier, PKG_ROOT);
    assert.ok(loaded.some((m) => m.includes('dist/src/')), 'the module itself was loaded');
    assert.deepEqual(loaded.filter((m) => TRACING_RUNTIME_MODULE.test(m)), []);
    assert.ok(loaded.length < 10, `only a handful of modules: ${loaded.length}`);
  });
}

test('the samplers are reachable through their own subpath, and the root entry no longer re-exports them', () => {
  const sampling = require('@mltrace/tracing/sampling') as Record<string, unknown>;
  assert.equal(typeof sampling['createSampler'], 'function');
  const root = readFileSync(join(PKG_ROOT, 'src', 'index.ts'), 'utf8');
  assert.doesNotMatch(root, /from '\.\/sampling'/);
});

test('each unstable semconv key copied into src/semconv.ts has the value the semconv package gives it', () => {
  const upstream = incubating as unknown as Record<string, string>;
  assert.ok(Object.keys(semconv).length > 0, 'src/semconv.ts exports keys to check');
  for (const [name, value] of Object.entries(semconv)) {
    assert.equal(upstream[name], value, name);
  }
});

/** The folder of a package as resolved from `from` (its package.json may not be exported). */
function packageDir(name: string, from?: string): string {
  const entry = require.resolve(name, from ? { paths: [from] } : undefined);
  return entry.slice(0, entry.lastIndexOf(join('node_modules', name)) + join('node_modules', name).length);
}

function packageJson(dir: string): { version: string; peerDependencies?: Record<string, string> } {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
}

test('the installed @opentelemetry/api is in the range the SDK accepts, and one copy serves the SDK and this package', () => {
  const sdkDir = packageDir('@opentelemetry/sdk-trace');
  const range = packageJson(sdkDir).peerDependencies?.['@opentelemetry/api'];
  assert.ok(range, 'the SDK declares its API range');
  // The copy of the API the SDK itself resolves: the one that decides whether its spans record.
  const apiDir = packageDir('@opentelemetry/api', sdkDir);
  const api = packageJson(apiDir).version;
  assert.ok(satisfies(api, range), `@opentelemetry/api ${api} is outside the SDK's range ${range}: spans would be non-recording`);
  assert.equal(apiDir, packageDir('@opentelemetry/api'), 'the SDK and this package share one copy of the API');
});

test('a span started through the global API on the real SDK records and is exported', async () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  assert.ok(trace.setGlobalTracerProvider(provider), 'the API accepted the SDK provider');
  const span = trace.getTracer('contract').startSpan('probe');
  assert.equal(span.isRecording(), true);
  span.end();
  await provider.forceFlush();
  assert.deepEqual(exporter.getFinishedSpans().map((s) => s.name), ['probe']);
  trace.disable();
});
