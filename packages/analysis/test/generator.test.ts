import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadSources } from '../src/load';
import { generateTraces, writeOtlpLines } from '../src/synthetic/generator';

test('the generator is deterministic per seed and pipeline-shaped', () => {
  const a = generateTraces({ traces: 20, seed: 9 });
  const b = generateTraces({ traces: 20, seed: 9 });
  const c = generateTraces({ traces: 20, seed: 10 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  const services = new Set(a.flatMap((t) => t.spans.map((s) => s.service)));
  assert.deepEqual([...services].sort(), ['feature-store', 'gateway', 'inference', 'postprocess']);
  for (const t of a) {
    const ids = new Set(t.spans.map((s) => s.spanId));
    assert.equal(t.spans.filter((s) => s.parentSpanId === undefined).length, 1);
    for (const s of t.spans) if (s.parentSpanId) assert.ok(ids.has(s.parentSpanId));
    // One pipelined BATCH HMGET span per feature lookup, sized by the lookup's entity count.
    const lookups = t.spans.filter((s) => s.name === 'feature_extraction');
    const batches = t.spans.filter((s) => s.name === 'BATCH HMGET');
    assert.equal(batches.length, lookups.length);
    assert.equal(lookups.length, 2);
    for (const b of batches) {
      assert.equal(b.attributes['db.system.name'], 'redis');
      const parent = t.spans.find((s) => s.spanId === b.parentSpanId);
      assert.equal(b.attributes['db.operation.batch.size'], parent?.attributes['ml.entity.count']);
    }
    // One SERVER span per hop, named <METHOD> <route>.
    for (const s of t.spans.filter((x) => x.kind === 'server')) assert.equal(s.name, `${s.attributes['http.request.method']} ${s.attributes['http.route']}`);
  }
});

test('OTLP/JSON lines written by the generator load back to the same spans', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mltrace-gen-'));
  try {
    const traces = generateTraces({ traces: 30, seed: 4, faults: { flakyPostprocess: 0.3 } });
    const file = join(dir, 'x.jsonl');
    const n = await writeOtlpLines(traces, file, 50);
    assert.equal(n, traces.reduce((a, t) => a + t.spans.length, 0));
    const loaded = await loadSources([file]);
    assert.equal(loaded.spanCount, n);
    assert.equal(loaded.skipped.count, 0);
    const byId = new Map(loaded.traces.map((t) => [t.traceId, t]));
    for (const t of traces) {
      const l = byId.get(t.traceId);
      assert.ok(l);
      const ls = new Map(l.spans.map((s) => [s.spanId, s]));
      for (const s of t.spans) {
        const x = ls.get(s.spanId);
        assert.ok(x);
        assert.equal(x.start, s.start);
        assert.equal(x.duration, s.duration);
        assert.equal(x.service, s.service);
        assert.equal(x.kind, s.kind);
        assert.equal(x.status, s.status);
        assert.equal(x.parentSpanId, s.parentSpanId);
        assert.deepEqual(x.attributes, s.attributes);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
