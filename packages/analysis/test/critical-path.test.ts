import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basename, join } from 'node:path';
import { criticalPath, type CriticalPathSection } from '../src/analyses/critical-path';
import { assembleTrace } from '../src/load/collector';
import type { Span, SpanKind, Trace } from '../src/model';
import { REFERENCE, listJson, makeSpan, readJson } from './helpers';

interface CaseSpan {
  traceID: string;
  spanID: string;
  parentSpanID: string | null;
  refType: 'CHILD_OF' | 'FOLLOWS_FROM' | null;
  operationName: string;
  serviceName: string;
  spanKind: string | null;
  startTime: number;
  duration: number;
}
interface Case {
  name: string;
  input: CaseSpan[];
  expected: Array<{ spanID: string; sectionStart: number; sectionEnd: number }>;
}

const CASES_DIR = join(REFERENCE, 'critical-path');

/** A conformance case's span list → a model trace, through the same assembly the loaders use. */
function caseTrace(c: Case): Trace {
  const spans: Span[] = c.input.map((s) =>
    makeSpan({
      traceId: s.traceID,
      spanId: s.spanID,
      parentSpanId: s.parentSpanID ?? undefined,
      references: s.parentSpanID ? [{ type: s.refType ?? 'CHILD_OF', traceId: s.traceID, spanId: s.parentSpanID }] : [],
      name: s.operationName,
      service: s.serviceName,
      kind: (s.spanKind?.toLowerCase() ?? 'unspecified') as SpanKind,
      start: s.startTime,
      duration: s.duration,
    }),
  );
  return assembleTrace(c.input[0]!.traceID, spans);
}

function asExpected(sections: CriticalPathSection[]): Case['expected'] {
  return sections.map((s) => ({ spanID: s.spanId, sectionStart: s.start, sectionEnd: s.end }));
}

/** Cases where mltrace deliberately differs from Jaeger UI (see docs/critical-path.md). */
const DELIBERATE = new Set(['orphan-subtree']);

const files = listJson(CASES_DIR);

test('the reference folder holds the 40 conformance cases', () => {
  assert.equal(files.length, 40);
});

for (const file of files) {
  const c = readJson<Case>(file);
  if (DELIBERATE.has(c.name)) continue;
  test(`critical path matches Jaeger UI: ${basename(file)}`, () => {
    assert.deepEqual(asExpected(criticalPath(caseTrace(c))), c.expected);
  });
}

test('orphan-subtree: an orphan is walked as a root of its own instead of being dropped', () => {
  const c = readJson<Case>(join(CASES_DIR, 'derived', 'orphan-subtree.json'));
  const sections = asExpected(criticalPath(caseTrace(c)));
  // The real root's block is exactly what Jaeger UI gives ...
  assert.deepEqual(sections.slice(0, c.expected.length), c.expected);
  // ... followed by the orphan O [120,170) with its child Oc [130,140), newest first, tiling O exactly.
  assert.deepEqual(sections.slice(c.expected.length), [
    { spanID: 'O', sectionStart: 140, sectionEnd: 170 },
    { spanID: 'Oc', sectionStart: 130, sectionEnd: 140 },
    { spanID: 'O', sectionStart: 120, sectionEnd: 130 },
  ]);
});

test('duplicate span ids: the loader renames the second occurrence like Jaeger UI, so sections name it', () => {
  const c = readJson<Case>(join(CASES_DIR, 'derived', 'duplicate-span-id.json'));
  const trace = caseTrace(c);
  assert.deepEqual(
    trace.spans.map((s) => s.spanId),
    ['P', 'D', 'D_1'],
  );
  assert.ok(trace.warnings?.some((w) => w.includes('D_1')));
  assert.ok(criticalPath(trace).some((s) => s.spanId === 'D_1'));
});

/** Sections of one root tile [root.start, root.end) without overlap. */
function assertTiles(sections: CriticalPathSection[], start: number, end: number): void {
  const sorted = [...sections].sort((a, b) => a.start - b.start);
  let at = start;
  for (const s of sorted) {
    assert.equal(s.start, at, `gap or overlap at ${at}`);
    assert.ok(s.end > s.start);
    at = s.end;
  }
  assert.equal(at, end);
}

test('every single-root conformance case tiles its root exactly', () => {
  for (const file of files) {
    const c = readJson<Case>(file);
    const trace = caseTrace(c);
    const ids = new Set(trace.spans.map((s) => s.spanId));
    const roots = trace.spans.filter((s) => s.parentSpanId === undefined || !ids.has(s.parentSpanId));
    if (roots.length !== 1) continue;
    const root = roots[0]!;
    assertTiles(criticalPath(trace), root.start, root.start + root.duration);
  }
});

test('a 100 000-deep chain is walked without exhausting the stack', () => {
  const depth = 100_000;
  const spans: Span[] = [];
  for (let i = 0; i < depth; i++) {
    spans.push(makeSpan({ spanId: `s${i}`, parentSpanId: i === 0 ? undefined : `s${i - 1}`, start: 1000 + i, duration: 2 * (depth - i) }));
  }
  const sections = criticalPath({ traceId: 'deep', spans });
  assertTiles(sections, 1000, 1000 + 2 * depth);
  // The deepest span owns the middle; each ancestor owns one µs on each side of its child.
  assert.equal(sections.length, 2 * depth - 1);
});

test('a span with 50 000 sequential children is handled in O(n log n)', () => {
  const n = 50_000;
  const spans: Span[] = [makeSpan({ spanId: 'root', start: 1, duration: 3 * n + 1 })];
  for (let i = 0; i < n; i++) spans.push(makeSpan({ spanId: `c${i}`, parentSpanId: 'root', start: 2 + 3 * i, duration: 2 }));
  const t0 = performance.now();
  const sections = criticalPath({ traceId: 'wide', spans });
  const ms = performance.now() - t0;
  assertTiles(sections, 1, 3 * n + 2);
  assert.equal(sections.filter((s) => s.spanId !== 'root').length, n);
  assert.ok(ms < 2000, `took ${ms.toFixed(0)} ms`);
});

test('a reference cycle in corrupt data does not hang and still yields sections', () => {
  const spans: Span[] = [
    makeSpan({ spanId: 'a', parentSpanId: 'b', start: 10, duration: 10 }),
    makeSpan({ spanId: 'b', parentSpanId: 'a', start: 12, duration: 5 }),
  ];
  const sections = criticalPath({ traceId: 'cycle', spans });
  assert.ok(sections.length > 0);
});

test('an empty trace has no critical path', () => {
  assert.deepEqual(criticalPath({ traceId: 'empty', spans: [] }), []);
});
