import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { REPORT_KEYS } from '../src/analyses/analyze';
import type { Trace } from '../src/model';
import { generateTraces, writeOtlpLines } from '../src/synthetic/generator';

const MAIN = join(__dirname, '..', 'src', 'cli', 'main.js');
let dir = '';
let fileA = '';
let fileB = '';
let tracesA: Trace[] = [];

function mltrace(...args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mltrace-cli-'));
  fileA = join(dir, 'a.jsonl');
  fileB = join(dir, 'b', 'b.jsonl');
  tracesA = generateTraces({ traces: 150, seed: 21, faults: { flakyPostprocess: 0.2 } });
  await writeOtlpLines(tracesA, fileA, 100);
  require('node:fs').mkdirSync(join(dir, 'b'));
  await writeOtlpLines(generateTraces({ traces: 150, seed: 22, faults: { slowFeatures: 0.5 } }), fileB, 100);
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('analyze --format json: the ten top-level keys and the findings', () => {
  const r = mltrace('analyze', fileA, '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.deepEqual(Object.keys(json), [...REPORT_KEYS]);
  assert.equal((json.performance as { traces: number }).traces, tracesA.length);
  const recs = json.recommendations as Array<{ id: string; evidence: Record<string, unknown> }>;
  assert.equal(recs.find((x) => x.id === 'error-origin')?.evidence.service, 'postprocess');
});

test('analyze selects with --where, --service, --operation, --since/--until', () => {
  const v2 = tracesA.filter((t) => t.spans[0]?.attributes['ml.model.version'] === 'v2').length;
  const where = JSON.parse(mltrace('analyze', fileA, '--format', 'json', '--where', 'ml.model.version=v2').stdout) as { performance: { traces: number } };
  assert.equal(where.performance.traces, v2);
  const two = JSON.parse(mltrace('analyze', fileA, '--format', 'json', '--where', 'ml.model.version=v2', '--where', 'business.region=eu-west').stdout) as { performance: { traces: number } };
  const expected = tracesA.filter((t) => t.spans[0]?.attributes['ml.model.version'] === 'v2' && t.spans[0]?.attributes['business.region'] === 'eu-west').length;
  assert.equal(two.performance.traces, expected);
  const starts = tracesA.map((t) => t.spans[0]?.start as number).sort((a, b) => a - b);
  const mid = starts[75] as number;
  const since = JSON.parse(mltrace('analyze', fileA, '--format', 'json', '--since', new Date(mid / 1000).toISOString()).stdout) as { performance: { traces: number } };
  assert.equal(since.performance.traces, starts.filter((s) => s >= Math.floor(mid / 1000) * 1000).length);
  const none = mltrace('analyze', fileA, '--service', 'no-such-service');
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no traces/);
  const op = JSON.parse(mltrace('analyze', fileA, '--format', 'json', '--operation', 'model_predict').stdout) as { performance: { traces: number } };
  assert.equal(op.performance.traces, tracesA.length);
});

test('analyze text, markdown, html (--out) and --compare', () => {
  const text = mltrace('analyze', fileA, '--compare', 'ml.model.version=v1,v2');
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /== Recommendations/);
  assert.match(text.stdout, /Comparison: ml\.model\.version=v1 vs ml\.model\.version=v2/);
  const summary = mltrace('analyze', fileA, '--summary');
  assert.match(summary.stdout, /== Summary[\s\S]*== Recommendations[\s\S]*error-origin/);
  assert.ok(!summary.stdout.includes('== Performance'));
  const md = mltrace('analyze', fileA, '--format', 'md');
  assert.match(md.stdout, /^# mltrace analysis/);
  const out = join(dir, 'report.html');
  const html = mltrace('analyze', fileA, '--format', 'html', '--out', out);
  assert.equal(html.code, 0, html.stderr);
  assert.equal(html.stdout, '');
  const page = readFileSync(out, 'utf8');
  assert.match(page, /data-chart="dependency-graph"/);
  assert.match(page, /data-chart="latency-histogram"/);
});

test('--threads is accepted and does not change the report (the threaded load itself: load-parallel.test.ts)', () => {
  const one = mltrace('analyze', fileA, '--format', 'json', '--threads', '1');
  const two = mltrace('analyze', fileA, '--format', 'json', '--threads', '2');
  assert.equal(one.code, 0, one.stderr);
  assert.equal(two.stdout, one.stdout);
  assert.equal(mltrace('critical-path', fileA, '--threads', '2').stdout, mltrace('critical-path', fileA).stdout);
});

test('critical-path --format json prints the sections of every trace, newest first', () => {
  const r = mltrace('critical-path', fileA, '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout) as { traces: Array<{ traceId: string; sections: Array<{ spanId: string; start: number; end: number }> }> };
  assert.deepEqual(Object.keys(json), ['traces']);
  assert.equal(json.traces.length, tracesA.length);
  const byId = new Map(tracesA.map((t) => [t.traceId, t]));
  for (const t of json.traces) {
    const src = byId.get(t.traceId);
    assert.ok(src);
    const root = src.spans[0]!;
    // The path partitions the root span: contiguous sections from its end back to its start.
    assert.equal(t.sections[0]?.end, root.start + root.duration);
    assert.equal(t.sections.at(-1)?.start, root.start);
    for (let i = 1; i < t.sections.length; i++) assert.equal(t.sections[i]!.end, t.sections[i - 1]!.start);
    const ids = new Set(src.spans.map((s) => s.spanId));
    for (const s of t.sections) {
      assert.ok(ids.has(s.spanId));
      assert.deepEqual(Object.keys(s), ['spanId', 'start', 'end']);
    }
  }
  const text = mltrace('critical-path', fileA, '--format', 'text', '--trace', json.traces[0]!.traceId);
  assert.equal(text.code, 0);
  assert.match(text.stdout, new RegExp(`^trace ${json.traces[0]!.traceId}`));
  assert.match(text.stdout, /gateway: POST \/v1\/predict/);
});

test('compare two sources: significance and critical-path shares', () => {
  const r = mltrace('compare', fileA, join(dir, 'b'));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /latency p50/);
  assert.match(r.stdout, /Mann–Whitney/);
  assert.match(r.stdout, /feature-store/);
  const json = JSON.parse(mltrace('compare', fileA, fileB, '--format', 'json').stdout) as { comparison: { a: { traces: number }; latency: { test: { pValue: number } } } };
  assert.equal(json.comparison.a.traces, tracesA.length);
  assert.ok(json.comparison.latency.test.pValue < 0.001, 'half the lookups 80 ms slower is significant');
});

test('help exits 0; bad usage exits 2; unreadable input exits 1', () => {
  for (const args of [['--help'], ['analyze', '--help'], ['critical-path', '--help'], ['compare', '-h']]) {
    const r = mltrace(...args);
    assert.equal(r.code, 0, args.join(' '));
    assert.match(r.stdout, /Usage/);
  }
  const usage: string[][] = [[], ['frobnicate'], ['analyze'], ['analyze', fileA, '--format', 'xml'], ['analyze', fileA, '--bogus'], ['analyze', fileA, '--compare', 'ml.model.version=v1'], ['analyze', fileA, '--since', 'yesterday-ish'], ['compare', fileA], ['analyze', fileA, '--top', '0'], ['analyze', fileA, '--threads', '0'], ['critical-path', fileA, '--threads', 'many']];
  for (const args of usage) {
    const r = mltrace(...args);
    assert.equal(r.code, 2, `${args.join(' ')} → ${r.code}: ${r.stderr}`);
  }
  const missing = mltrace('analyze', join(dir, 'nope.json'));
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nope\.json/);
});

test('load delegates to @mltrace/loadgen', () => {
  let available = false;
  try {
    available = typeof (require('@mltrace/loadgen') as { runLoadCommand?: unknown }).runLoadCommand === 'function';
  } catch {
    available = false;
  }
  const r = mltrace('load', '--help');
  if (available) assert.equal(r.code, 0, r.stderr);
  else {
    assert.equal(r.code, 1);
    assert.match(r.stderr, /@mltrace\/loadgen/);
  }
  assert.ok(existsSync(MAIN));
});

test('compare one source by two slices with --compare KEY=A,B', () => {
  const r = mltrace('compare', fileA, '--compare', 'ml.model.version=v1,v2', '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout) as { comparison: { a: { label: string; traces: number }; b: { label: string; traces: number } } };
  const count = (v: string) => tracesA.filter((t) => t.spans.find((s) => s.parentSpanId === undefined)?.attributes['ml.model.version'] === v).length;
  assert.equal(json.comparison.a.label, 'ml.model.version=v1');
  assert.equal(json.comparison.a.traces, count('v1'));
  assert.equal(json.comparison.b.traces, count('v2'));
  assert.ok(count('v1') > 0 && count('v2') > 0);
  assert.equal(mltrace('compare', fileA, '--compare', 'ml.model.version=v1,v9').code, 1, 'an empty slice is a failure');
  assert.equal(mltrace('compare', fileA).code, 2, 'one source without --compare is bad usage');
});

test('piping into head ends quietly (no EPIPE stack trace)', () => {
  // critical-path JSON of 150 traces is far larger than a pipe's 64 KiB buffer, so head closes it early.
  const r = spawnSync('bash', ['-c', `"${process.execPath}" "${MAIN}" critical-path "${fileA}" --format json | head -c 11; exit \${PIPESTATUS[0]}`], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.stdout, '{"traces":[');
  assert.doesNotMatch(r.stderr, /EPIPE|at /);
  assert.equal(r.status, 0);
});
