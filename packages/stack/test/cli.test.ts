import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readCliOptions } from '../src/bin/options';
import { demoPlan } from '../src/demo-plan';
import { countExportedSpans } from '../src/span-files';
import { readRunningStack, removeStackState, stackStateFile, writeStackState } from '../src/state-file';

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

test('the stack folder (MLTRACE_STACK_DIR) holds logs, traces and stack.json; MLTRACE_GATEWAY_URL is marked as chosen', () => {
  const a = readCliOptions([], { MLTRACE_STACK_DIR: '/tmp/stack-x' });
  assert.equal(a.stackDir, '/tmp/stack-x');
  assert.equal(a.stateFile, '/tmp/stack-x/stack.json');
  assert.equal(a.system.logsDir, '/tmp/stack-x/logs');
  assert.equal(a.system.tracesDir, '/tmp/stack-x/traces');
  assert.equal(a.tracesChosen, false);
  assert.equal(a.gatewayUrlChosen, false);
  const b = readCliOptions(['--traces', '/t'], { MLTRACE_GATEWAY_URL: 'http://gw:1/' });
  assert.equal(b.system.tracesDir, '/t');
  assert.equal(b.tracesChosen, true);
  assert.equal(b.gatewayUrl, 'http://gw:1');
  assert.equal(b.gatewayUrlChosen, true);
  assert.match(b.stateFile, /\/\.mltrace\/stack\.json$/);
});

test('stack.json: read only while its launcher lives; removed only by the launcher it names', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stack-state-'));
  try {
    const file = stackStateFile(dir);
    const urls = { gateway: 'http://127.0.0.1:1', 'feature-store': 'http://127.0.0.1:2', inference: 'http://127.0.0.1:3', postprocess: 'http://127.0.0.1:4' };
    assert.equal(readRunningStack(file), undefined, 'absent');
    writeStackState(file, { pid: process.pid, urls, tracesDir: '/t', logsDir: '/l', startedAt: 'now' });
    assert.equal(readRunningStack(file)?.urls.gateway, 'http://127.0.0.1:1');
    removeStackState(file, process.pid + 1);
    assert.ok(existsSync(file), 'another launcher\'s file stays');
    removeStackState(file, process.pid);
    assert.equal(existsSync(file), false);
    // A launcher that is gone (a child that has exited) leaves a stale file: not a running system.
    const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    writeStackState(file, { pid: Number(gone.stdout.trim()), urls, tracesDir: '/t', logsDir: '/l', startedAt: 'then' });
    assert.equal(readRunningStack(file), undefined);
    writeFileSync(file, '{"pid": 1, "urls"');
    assert.equal(readRunningStack(file), undefined, 'a torn file');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
