/**
 * The preload sets traces up from the SDK's pieces (src/sdk.ts) instead of through NodeSDK, which
 * loads the metrics and logs SDKs and every exporter at each start. Differential: under the same
 * OTEL_* environment, a span of mltrace's setup and one of the NodeSDK composition it replaced
 * (test/fixtures/sdk-probe.ts) must show the same sampling decisions, span limits, resource and
 * propagated fields. And with OTEL_LOGS_EXPORTER set, NodeSDK still starts the logs pipeline.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { cleanEnv, FIXTURES, PKG_ROOT, tempDir } from './preload-support';

interface Probe {
  shown: Record<string, unknown>;
  /** Everything before the last line: what exporters printed. */
  printed: string;
}

function probe(mode: 'mltrace' | 'nodesdk', env: Record<string, string>, dir: string): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(FIXTURES, 'sdk-probe.js')], {
      cwd: PKG_ROOT,
      env: { ...cleanEnv(), OTEL_SERVICE_NAME: 'probe', MLTRACE_TRACES_DIR: dir, ...env, PROBE_MODE: mode },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${mode} probe exited ${code}: ${stderr}`));
      const lines = stdout.trim().split('\n');
      resolve({ shown: JSON.parse(lines.at(-1) as string) as Record<string, unknown>, printed: lines.slice(0, -1).join('\n') });
    });
  });
}

const CASES: Array<[string, Record<string, string>]> = [
  ['defaults', {}],
  ['always_on', { OTEL_TRACES_SAMPLER: 'always_on' }],
  ['always_off', { OTEL_TRACES_SAMPLER: 'always_off' }],
  ['traceidratio 0.5, no resource detectors', { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.5', OTEL_NODE_RESOURCE_DETECTORS: 'none' }],
  ['parentbased_always_off', { OTEL_TRACES_SAMPLER: 'parentbased_always_off' }],
  [
    'parentbased_traceidratio 0.5, span limits, two detectors and resource attributes',
    {
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.5',
      OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '7',
      OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '12',
      OTEL_SPAN_EVENT_COUNT_LIMIT: '3',
      OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT: '4',
      OTEL_NODE_RESOURCE_DETECTORS: 'env,os',
      OTEL_RESOURCE_ATTRIBUTES: 'team=ml,deployment.environment.name=staging',
    },
  ],
];

for (const [name, env] of CASES) {
  test(`the preload's trace setup shows what NodeSDK's did: ${name}`, async (t) => {
    const dir = tempDir(t);
    const [{ shown: mltrace }, { shown: nodesdk }] = await Promise.all([probe('mltrace', env, dir), probe('nodesdk', env, dir)]);
    const { nodeSdkLoaded, ...ours } = mltrace;
    const { nodeSdkLoaded: _loaded, ...theirs } = nodesdk;
    assert.deepEqual(ours, theirs);
    assert.equal(nodeSdkLoaded, false, 'traces only: the preload does not load @opentelemetry/sdk-node');
    // Not vacuous: the probe saw a resource (none when nothing is recorded), and the decisions differ between the cases as the sampler says.
    const decisions = ours['decisions'] as Record<string, boolean>;
    if (env['OTEL_TRACES_SAMPLER'] === 'always_off') assert.ok(Object.values(decisions).every((d) => !d));
    else assert.equal((ours['resource'] as Record<string, unknown>)['service.name'], 'probe');
    if (env['OTEL_TRACES_SAMPLER']?.endsWith('traceidratio')) {
      // The ratio decides a child of a sampled parent only without parentbased_.
      const follows = env['OTEL_TRACES_SAMPLER'].startsWith('parentbased_');
      assert.deepEqual([decisions['0000/sampled'], decisions['8000/sampled'], decisions['ffff/sampled']], [true, follows, follows]);
    }
    if (env['OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT']) assert.deepEqual(ours['limits'], { attributes: 7, valueLength: 12, events: 3, eventAttributes: 4 });
  });
}

test('OTEL_LOGS_EXPORTER=console: NodeSDK starts the logs pipeline beside the preload\'s traces; a pino line becomes a log record of its span', async (t) => {
  const { printed, shown } = await probe('mltrace', { OTEL_LOGS_EXPORTER: 'console', PROBE_LOG: '1' }, tempDir(t));
  assert.equal(shown['nodeSdkLoaded'], true);
  assert.match(printed, /body: 'probe line'/, `a log record on the console exporter:\n${printed.slice(0, 2000)}`);
  assert.match(printed, /traceId: '00000000000000000000000000000001'/, 'the log record carries the trace id of its span');
});
