/**
 * The parallel loader (src/load/parallel.ts) must give what one thread gives: the same traces in the
 * same order, the same duplicate-id renames, the same skip reasons with absolute line numbers.
 * Tiny units put unit boundaries everywhere: mid-line, on a newline, inside a CRLF.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFile, loadSources, type LoadOptions } from '../src/load';
import { TraceCollector } from '../src/load/collector';
import { LinePool } from '../src/load/fast/parallel';
import { analyze } from '../src/analyses/analyze';
import { traceStream, writeOtlpLines } from '../src/synthetic/generator';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'mltrace-parallel-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const ONE_THREAD: LoadOptions = { parallel: { threads: 1 } };
const parallel = (threads: number, unitBytes: number, extra: LoadOptions = {}): LoadOptions => ({ parallel: { threads, unitBytes, minBytes: 0 }, ...extra });

/** Synthetic pipeline lines with every kind of trouble mixed in, CRLF endings in places, and no final newline. */
async function messyFile(dir: string): Promise<string> {
  const clean = join(dir, 'clean.jsonl');
  await writeOtlpLines(traceStream({ traces: 150, seed: 3, entities: [2, 5], faults: { flakyPostprocess: 0.2 } }), clean, 11);
  const lines = readFileSync(clean, 'utf8').trimEnd().split('\n');
  const first = JSON.parse(lines[0]!) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<Record<string, unknown>> }> }> };
  const reused = first.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
  // The same span id with another name: renamed in arrival order; an exact copy: dropped.
  const clash = JSON.stringify({ ...first, resourceSpans: [{ ...first.resourceSpans[0], scopeSpans: [{ spans: [{ ...reused, name: 'clash' }, reused] }] }] });
  const jaeger = JSON.stringify({ data: [{ traceID: 'feed', spans: [{ traceID: 'feed', spanID: 'beef', operationName: 'legacy', startTime: 1_767_225_600_000_000, duration: 5, tags: [], processID: 'p1' }], processes: { p1: { serviceName: 'old' } } }], errors: [{ msg: 'partial' }] });
  const out: string[] = [];
  lines.forEach((l, i) => {
    out.push(i % 9 === 4 ? `${l}\r` : l);
    if (i === 3) out.push('{"resourceSpans": [ broken');
    if (i === 7) out.push('', '   ');
    if (i === 20) out.push(clash);
    if (i === 25) out.push(jaeger);
    if (i === 40) out.push(JSON.stringify({ hello: 'world' }));
  });
  const file = join(dir, 'messy.jsonl');
  writeFileSync(file, out.join('\n'));
  return file;
}

test('several threads load a messy file exactly as one thread does, whatever the unit size', async (t) => {
  const file = await messyFile(tempDir(t));
  const reference = await loadFile(file, ONE_THREAD);
  assert.ok(reference.skipped.count === 2 && reference.duplicatesDropped === 1 && reference.warnings !== undefined, JSON.stringify(reference.skipped));
  assert.ok(reference.skipped.reasons.some((r) => r.startsWith(`${file}: line 5: invalid JSON`)), reference.skipped.reasons.join('\n'));
  for (const [threads, unitBytes] of [
    [2, 997],
    [3, 4096],
    [2, 65_536],
    [4, 1 << 20],
  ] as const) {
    const result = await loadFile(file, parallel(threads, unitBytes));
    assert.deepStrictEqual(result, reference, `${threads} threads, ${unitBytes}-byte units`);
  }
  // Workers parsing with JSON.parse (no scanner) agree too.
  assert.deepStrictEqual(await loadFile(file, parallel(2, 3000, { fastPath: false })), reference);
});

test('a directory loaded with threads: spans of one trace merged across files, the same report', async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'traces'));
  const all = join(dir, 'all.jsonl');
  await writeOtlpLines(traceStream({ traces: 200, seed: 5, entities: [3, 3] }), all, 25);
  // One file per service, as the file exporter writes them.
  const byService = new Map<string, string[]>();
  for (const l of readFileSync(all, 'utf8').trimEnd().split('\n')) {
    const doc = JSON.parse(l) as { resourceSpans: Array<{ resource: { attributes: Array<{ value: { stringValue: string } }> } }> };
    for (const rs of doc.resourceSpans) {
      const service = rs.resource.attributes[0]!.value.stringValue;
      byService.set(service, [...(byService.get(service) ?? []), JSON.stringify({ resourceSpans: [rs] })]);
    }
  }
  for (const [service, lines] of byService) appendFileSync(join(dir, 'traces', `${service}.jsonl`), `${lines.join('\n')}\n`);
  const reference = await loadSources([join(dir, 'traces')], ONE_THREAD);
  const threaded = await loadSources([join(dir, 'traces')], parallel(2, 8192));
  assert.equal(reference.traces.length, 200);
  assert.deepStrictEqual(threaded, reference);
  assert.equal(JSON.stringify(analyze(threaded.traces)), JSON.stringify(analyze(reference.traces)));
});

test('progress is reported while threads load', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'big.jsonl');
  await writeOtlpLines(traceStream({ traces: 2000, seed: 1, entities: [1, 1] }), file, 200);
  const seen: number[] = [];
  const result = await loadFile(file, { ...parallel(2, 200_000), onProgress: (n) => seen.push(n) });
  assert.ok(seen.length >= 2, `progress calls: ${seen.join(',')}`);
  assert.ok(seen.every((n, i) => i === 0 || n > seen[i - 1]!));
  assert.ok(seen[seen.length - 1]! <= result.spanCount);
});

test('a file that cannot be read fails the load with its name instead of hanging', async (t) => {
  const pool = LinePool.create({ threads: 2, minBytes: 0, unitBytes: 100 })!;
  t.after(() => pool.close());
  const missing = join(tempDir(t), 'gone.jsonl');
  await assert.rejects(pool.readFile(missing, 1000, new TraceCollector()), (err: unknown) => err instanceof Error && err.message.includes('gone.jsonl'));
});

test('one thread, or a small file, needs no pool', () => {
  assert.equal(LinePool.create({ threads: 1 }), undefined);
  assert.equal(LinePool.create({ threads: 0 }), undefined);
  const pool = LinePool.create({ threads: 2 })!;
  assert.equal(pool.accepts(1024), false);
  assert.equal(pool.accepts(64 << 20), true);
});
