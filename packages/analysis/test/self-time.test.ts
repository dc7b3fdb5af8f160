import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { childrenIndex, selfTime, selfTimes } from '../src/analyses/self-time';
import { loadFile } from '../src/load';
import type { Span, Trace } from '../src/model';
import { REFERENCE, makeSpan, readJson } from './helpers';

interface Vector {
  name: string;
  span: { startTime: number; duration: number };
  children: Array<{ startTime: number; duration: number }>;
  expectedSelfTime: number;
}

const vectors = readJson<{ vectors: Vector[] }>(join(REFERENCE, 'analysis', 'self-time', 'self-time-vectors.json')).vectors;
const toInterval = (x: { startTime: number; duration: number }) => ({ start: x.startTime, duration: x.duration });

test('the reference holds 12 self-time vectors', () => {
  assert.equal(vectors.length, 12);
});

for (const v of vectors) {
  test(`self time matches Jaeger UI: ${v.name}`, () => {
    assert.equal(selfTime(toInterval(v.span), v.children.map(toInterval)), v.expectedSelfTime);
  });
}

test('self time does not depend on the order children are given in', () => {
  for (const v of vectors) {
    const reversed = v.children.map(toInterval).reverse();
    assert.equal(selfTime(toInterval(v.span), reversed), v.expectedSelfTime, v.name);
  }
});

test('selfTimes and childrenIndex over a trace: only direct children count', () => {
  const spans: Span[] = [
    makeSpan({ spanId: 'r', start: 0, duration: 100 }),
    makeSpan({ spanId: 'a', parentSpanId: 'r', start: 10, duration: 40 }),
    makeSpan({ spanId: 'a1', parentSpanId: 'a', start: 20, duration: 10 }),
    makeSpan({ spanId: 'b', parentSpanId: 'r', start: 40, duration: 30 }),
    makeSpan({ spanId: 'late', parentSpanId: 'r', start: 150, duration: 10 }),
  ];
  const trace: Trace = { traceId: 't', spans };
  const index = childrenIndex(trace);
  assert.deepEqual(index.get('r')?.map((s) => s.spanId), ['a', 'b', 'late']);
  assert.deepEqual(index.get('a')?.map((s) => s.spanId), ['a1']);
  const self = selfTimes(trace);
  assert.equal(self.get('r'), 100 - 60); // a ∪ b = [10,70); `late` is outside r
  assert.equal(self.get('a'), 30);
  assert.equal(self.get('a1'), 10);
  assert.equal(self.get('late'), 10);
});

// Trace Statistics (jaeger-ui tableValues): per service / per operation rows built from selfTimes.
interface StatsVector {
  test: string;
  traceFile: string;
  groupBy: string[];
  traceDurationMicros: number;
  rows: Array<{ name: string; isDetail: boolean; actualAtCommit: Record<string, number> }>;
}
const stats = readJson<{ vectors: StatsVector[] }>(join(REFERENCE, 'analysis', 'trace-statistics', 'table-values-vectors.json')).vectors;
const ms = (us: number) => Math.round(us / 10) / 100;

for (const v of stats.filter((x) => x.groupBy[0] === 'Service Name' || x.groupBy[0] === 'Operation Name')) {
  test(`trace statistics rows from selfTimes: ${v.traceFile} by ${v.groupBy[0]} (${v.test})`, async () => {
    const loaded = await loadFile(join(REFERENCE, 'analysis', 'trace-statistics', v.traceFile));
    const trace = loaded.traces[0]!;
    const self = selfTimes(trace);
    const start = Math.min(...trace.spans.map((s) => s.start));
    const end = Math.max(...trace.spans.map((s) => s.start + s.duration));
    assert.equal(end - start, v.traceDurationMicros);
    const key = (s: Span) => (v.groupBy[0] === 'Service Name' ? s.service : s.name);
    for (const row of v.rows.filter((r) => !r.isDetail)) {
      const members = trace.spans.filter((s) => key(s) === row.name);
      const selfs = members.map((s) => self.get(s.spanId)!);
      const selfTotal = selfs.reduce((a, b) => a + b, 0);
      const want = row.actualAtCommit;
      assert.equal(members.length, want.count, `${row.name} count`);
      assert.equal(ms(members.reduce((a, s) => a + s.duration, 0)), want.total, `${row.name} total`);
      assert.equal(ms(selfTotal), want.selfTotal, `${row.name} selfTotal`);
      assert.equal(ms(Math.min(...selfs)), want.selfMin, `${row.name} selfMin`);
      assert.equal(ms(Math.max(...selfs)), want.selfMax, `${row.name} selfMax`);
      assert.equal(Math.round((selfTotal / (end - start)) * 10000) / 100, want.percent, `${row.name} percent`);
    }
  });
}
