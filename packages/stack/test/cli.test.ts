import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readCliOptions } from '../src/bin/options';
import { demoPlan } from '../src/demo-plan';
import { countExportedSpans } from '../src/span-files';

test('the demo plan is reproducible and varied', () => {
  const plan = demoPlan();
  assert.deepEqual(demoPlan(), plan);
  assert.ok(plan.length >= 50 && plan.length <= 100, `${plan.length} requests`);
  const kinds = new Set(plan.map((r) => r.kind));
  for (const k of ['entities', 'instances', 'unknown-entities', 'partly-unknown', 'invalid', 'unknown-model']) assert.ok(kinds.has(k as never), k);
  const versions = new Set(plan.map((r) => r.baggage.model_version ?? 'assigned'));
  assert.deepEqual([...versions].sort(), ['assigned', 'v1', 'v2', 'v9']);
  assert.equal(new Set(plan.map((r) => r.baggage.customer_segment)).size, 4);
  assert.ok(new Set(plan.map((r) => r.baggage.region)).size >= 3);
  // One invalid body is a batch just over the limit.
  assert.ok(plan.some((r) => r.kind === 'invalid' && ((r.body as { entities?: unknown[] }).entities?.length ?? 0) === 65));
  for (const r of plan.filter((p) => p.kind === 'instances')) {
    for (const row of (r.body as { instances: number[][] }).instances) assert.equal(row.length, 12);
  }
});

test('command-line options and environment', () => {
  const a = readCliOptions(['--ports', 'auto', '--memory', '--scenario', 'cold-model', '--no-tracing'], {});
  assert.equal(a.system.ports, 'auto');
  assert.equal(a.system.redis, 'memory');
  assert.equal(a.system.scenario, 'cold-model');
  assert.equal(a.system.tracing, false);
  assert.match(a.tracesTarget('/x'), /tracing off/);
  const b = readCliOptions([], { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318', MLTRACE_TRACES_DIR: '/tmp/t' });
  assert.equal(b.system.tracesDir, '/tmp/t');
  assert.equal(b.tracesTarget('/tmp/t'), 'OTLP endpoint http://jaeger:4318');
  assert.equal(b.gatewayUrl, 'http://127.0.0.1:8080');
  assert.match(readCliOptions([], {}).tracesTarget('/d'), /^\/d /);
  assert.throws(() => readCliOptions(['--bogus'], {}), /bogus/);
});

test('countExportedSpans counts spans across files and skips a torn last line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'count-spans-'));
  try {
    const line = (n: number) => JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: Array.from({ length: n }, () => ({})) }] }] });
    writeFileSync(join(dir, 'gateway-1.jsonl'), `${line(3)}\n${line(2)}\n`);
    writeFileSync(join(dir, 'inference-2.jsonl'), `${line(4)}\n{"resourceSpans":[{"scope`);
    writeFileSync(join(dir, 'notes.txt'), line(100));
    assert.equal(countExportedSpans(dir), 9);
    assert.equal(countExportedSpans(join(dir, 'absent')), 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
