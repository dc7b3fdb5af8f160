import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { categorize, median, processCpuMs, profileBreakdown, quantile, sliceCount, summarize, tallyTraceFiles, CONFIGURATIONS, selectConfigurations, type RunMeasurement } from '../src';

test('processCpuMs reads this process\'s CPU time from /proc, and it grows with work done', () => {
  const before = processCpuMs(process.pid);
  assert.ok(before !== undefined && before > 0);
  // Busy until the process has used 300 ms of CPU by node's own count (not wall time: on a busy
  // machine a 300 ms loop may get a fraction of a core), then /proc must tell the same.
  const c0 = process.cpuUsage();
  const cpuMs = () => { const d = process.cpuUsage(c0); return (d.user + d.system) / 1000; };
  const giveUp = Date.now() + 10_000;
  let x = 0;
  while (cpuMs() < 300 && Date.now() < giveUp) for (let i = 0; i < 10_000; i++) x += Math.sqrt(x + 1);
  const used = cpuMs();
  const after = processCpuMs(process.pid)!;
  assert.ok(used >= 300, `the loop got only ${used} ms of CPU in 10 s`);
  // /proc counts in clock ticks (10 ms) and includes the other threads' CPU (GC, libuv).
  assert.ok(after - before >= used - 30 && after - before <= used * 2 + 50, `/proc says ${after - before} ms, node says ${used} ms`);
  assert.equal(processCpuMs(2 ** 22 + 12345), undefined);
});

test('tallyTraceFiles counts bytes, spans per scope and per service in file-exporter output', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-files-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const line = (scope: string, n: number) => JSON.stringify({ resourceSpans: [{ scopeSpans: [{ scope: { name: scope }, spans: Array.from({ length: n }, (_, i) => ({ name: `s${i}` })) }] }] });
  writeFileSync(join(dir, 'gateway-101.jsonl'), `${line('@opentelemetry/instrumentation-http', 3)}\n${line('@opentelemetry/instrumentation-undici', 2)}\n`);
  writeFileSync(join(dir, 'feature-store-7.jsonl'), `${line('@opentelemetry/instrumentation-ioredis', 4)}\n{"truncated":\n`);
  writeFileSync(join(dir, 'notes.txt'), 'ignored');
  const tally = tallyTraceFiles(dir);
  assert.equal(tally.spans, 9);
  assert.deepEqual(tally.byService, { gateway: 5, 'feature-store': 4 });
  assert.equal(tally.byScope['@opentelemetry/instrumentation-ioredis'], 4);
  assert.equal(tally.badRequests, 1);
  assert.ok(tally.bytes > 200);
});

test('profile samples are charged to the package of the nearest script frame, idle left out', () => {
  assert.equal(categorize('file:///w/node_modules/@opentelemetry/sdk-trace/build/src/Span.js', 'end'), '@opentelemetry/sdk-trace');
  assert.equal(categorize('/w/node_modules/fastify/lib/route.js', 'x'), 'fastify');
  assert.equal(categorize('/w/packages/tracing/dist/src/helpers.js', 'x'), '@mltrace/tracing');
  assert.equal(categorize('/w/services/gateway/dist/src/pipeline.js', 'x'), 'service code (gateway)');
  assert.equal(categorize('node:internal/async_hooks', 'x'), 'node: async_hooks / AsyncLocalStorage');
  assert.equal(categorize('', 'stringify'), undefined);
  const profile = {
    startTime: 0,
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '' }, children: [2, 4] },
      { id: 2, callFrame: { functionName: 'export', url: '/w/node_modules/@opentelemetry/otlp-transformer/x.js' }, children: [3] },
      { id: 3, callFrame: { functionName: 'stringify', url: '' } },
      { id: 4, callFrame: { functionName: '(idle)', url: '' } },
    ],
    samples: [3, 3, 2, 4, 4, 4],
    timeDeltas: [1000, 1000, 2000, 5000, 5000, 5000],
  };
  assert.deepEqual(profileBreakdown(profile), { '@opentelemetry/otlp-transformer': 4 });
  assert.deepEqual(profileBreakdown(profile, 1500, 2500), { '@opentelemetry/otlp-transformer': 1 });
});

function run(config: string, round: number, slices: number[], p50: number, cpu: number, spans = 0): RunMeasurement {
  const latency = { count: 100, min: 1, mean: p50, p50, p90: p50, p99: p50 * 2, p999: p50 * 2, max: p50 * 3 };
  return {
    config, round, maxThroughput: slices.reduce((a, b) => a + b, 0) / slices.length, sliceThroughputs: slices,
    // Saturated CPU per request: the machine's speed moves it the other way (a slow slice costs more CPU per request).
    sliceCpuMsPerRequest: slices.map((t) => (cpu * 1000) / t), saturatedLatencyMs: latency, openRate: 40, achievedRate: 40, latencyMs: latency, errors: 0,
    cpuMsPerRequest: { gateway: cpu / 2, inference: cpu / 2 }, requests: 100,
    exported: { bytes: spans * 1000, spans: spans * 100, byScope: { http: spans * 100 }, byService: {}, badRequests: 0 },
    spansPerRequest: spans, bytesPerRequest: spans * 10,
  };
}

test('throughput: each slice against the untraced slice next to it, then median and interquartile range; the rest per round', () => {
  const configs = selectConfigurations('head-100');
  assert.deepEqual(configs.map((c) => c.id), ['off', 'head-100']);
  // The machine's speed swings from slice to slice (a neighbour's burst halves slice 2 of round 1 for both) and
  // round 2 runs twice as fast: ratios of pooled throughput would drift, paired slices keep 0.8 except one 0.6.
  const runs = [
    run('off', 1, [100, 50, 100, 100], 2, 2),
    run('head-100', 1, [80, 40, 80, 60], 3, 3, 20),
    run('off', 2, [200, 200, 200, 200], 1, 1),
    run('head-100', 2, [160, 160, 160, 160], 1.5, 1.5, 22),
  ];
  const [off, traced] = summarize(configs, runs);
  assert.equal(off!.throughputRatio, 1);
  assert.ok(Math.abs(traced!.throughputRatio - 0.8) < 1e-9, String(traced!.throughputRatio));
  // 8 paired ratios: seven 0.8 and one 0.6; the lower quartile interpolates at position 1.75 of the sorted list.
  assert.ok(Math.abs(traced!.throughputRatioRange[0] - 0.8) < 1e-9 && Math.abs(traced!.throughputRatioRange[1] - 0.8) < 1e-9, String(traced!.throughputRatioRange));
  // CPU per request at saturation, paired the same way: 3/80 against 2/100 in round 1 (× 1.875), 1.5/160 against 1/200.
  assert.equal(off!.saturatedCpuRatio, 1);
  assert.ok(Math.abs(traced!.saturatedCpuRatio - 1.875) < 1e-9, String(traced!.saturatedCpuRatio));
  assert.ok(traced!.saturatedCpuRatioRange[0] <= traced!.saturatedCpuRatio && traced!.saturatedCpuRatio <= traced!.saturatedCpuRatioRange[1]);
  assert.equal(traced!.p50Added, 0.5);
  assert.equal(traced!.cpuRatio, 1.5);
  assert.equal(traced!.spansPerRequest, 21);
  assert.equal(traced!.spansPerRequestByScope['http'], 21);
  assert.equal(traced!.maxThroughput, (65 + 160) / 2);
});

test('quantile interpolates between neighbours; median is its 0.5', () => {
  assert.equal(quantile([4, 1, 3, 2], 0.25), 1.75);
  assert.equal(quantile([1, 2, 3, 4, 5], 0.5), 3);
  assert.equal(median([1, 2, 3, 4]), 2.5);
  assert.ok(Number.isNaN(quantile([], 0.5)));
});

test('the closed-loop phase is cut into slices of about --slice seconds, at least one', () => {
  assert.equal(sliceCount({ closedS: 10, sliceS: 2 }), 5);
  assert.equal(sliceCount({ closedS: 1, sliceS: 2 }), 1);
  assert.equal(sliceCount({ closedS: 7, sliceS: 2 }), 4);
});

test('every configuration of the issue is there, and an unknown one is refused', () => {
  assert.deepEqual(CONFIGURATIONS.map((c) => c.id), ['off', 'otel-default', 'sampling-off', 'head-1', 'head-10', 'head-100', 'all-100', 'acf-off-100', 'otlp-100', 'only-curated', 'no-ioredis', 'no-pino']);
  // otel-default: OpenTelemetry's own preload instead of mltrace's, everything else at its defaults, all signals to the sink.
  const otelDefault = CONFIGURATIONS.find((c) => c.id === 'otel-default')!;
  assert.equal(otelDefault.tracing, false, 'no @mltrace/tracing/register');
  assert.equal(otelDefault.env['NODE_OPTIONS'], '--require @opentelemetry/auto-instrumentations-node/register');
  assert.equal(otelDefault.otlpEndpoint, 'base');
  for (const k of ['OTEL_TRACES_SAMPLER', 'OTEL_TRACES_EXPORTER', 'OTEL_BSP_SCHEDULE_DELAY', 'MLTRACE_INSTRUMENTATIONS']) assert.equal(otelDefault.env[k], '', `${k} left at its default`);
  assert.doesNotMatch(otelDefault.env['OTEL_NODE_RESOURCE_DETECTORS'] ?? '', /gcp|aws|azure|alibaba/, 'no cloud metadata lookups off this machine');
  assert.equal(CONFIGURATIONS.find((c) => c.id === 'no-pino')!.env['OTEL_NODE_ENABLED_INSTRUMENTATIONS'], 'ioredis');
  assert.equal(CONFIGURATIONS.find((c) => c.id === 'off')!.tracing, false);
  assert.equal(CONFIGURATIONS.find((c) => c.id === 'head-10')!.env['OTEL_TRACES_SAMPLER_ARG'], '0.1');
  assert.throws(() => selectConfigurations('head-100,head-50'), /unknown configuration\(s\) head-50/);
});
