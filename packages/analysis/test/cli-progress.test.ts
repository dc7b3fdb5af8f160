// Progress on a terminal only: loading shows the bytes read of the total and the spans, the
// analysis its steps; on a pipe nothing is drawn (stdout carries only the report).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ANALYZE_STEPS } from '../src/analyses/analyze';
import { analyzeWithProgress, loadWithProgress } from '../src/cli/io';
import { generateTraces, writeOtlpLines } from '../src/synthetic/generator';

let dir = '';
let file = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mltrace-progress-'));
  file = join(dir, 't.jsonl');
  await writeOtlpLines(generateTraces({ traces: 300, seed: 9 }), file, 50);
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `fn` with stderr looking like a terminal (or not), capturing what is written to it. */
async function withStderr<T>(tty: boolean, fn: () => Promise<T> | T): Promise<{ result: T; written: string }> {
  const stderr = process.stderr as NodeJS.WriteStream & { isTTY: boolean };
  const wasTty = stderr.isTTY;
  const write = stderr.write;
  let written = '';
  stderr.isTTY = tty;
  stderr.write = ((chunk: string | Uint8Array) => {
    written += String(chunk);
    return true;
  }) as typeof stderr.write;
  try {
    return { result: await fn(), written };
  } finally {
    stderr.write = write;
    stderr.isTTY = wasTty;
  }
}

test('on a terminal, loading shows the bytes read of the total and the spans; the load is the same as without', async () => {
  const plain = await withStderr(false, () => loadWithProgress([file], {}, 1));
  assert.equal(plain.written, '', 'nothing drawn when stderr is not a terminal');
  const shown = await withStderr(true, () => loadWithProgress([file], {}, 1));
  const totalMb = (statSync(file).size / 1024 / 1024).toFixed(0);
  assert.match(shown.written, /loading traces \[/);
  assert.match(shown.written, new RegExp(`\\d+/${totalMb} MB`));
  assert.match(shown.written, /100%/, 'it reaches the total');
  assert.deepEqual(shown.result.spanCount, plain.result.spanCount);
});

test('on a terminal, the analysis shows its steps; the report is the same as without', async () => {
  const { traces } = await loadWithProgress([file]);
  const plain = await withStderr(false, () => analyzeWithProgress(traces, {}, 1));
  assert.equal(plain.written, '');
  const shown = await withStderr(true, () => analyzeWithProgress(traces, {}, 1));
  assert.match(shown.written, new RegExp(`analysing ${traces.length} traces \\[`));
  assert.match(shown.written, new RegExp(`${ANALYZE_STEPS.length}/${ANALYZE_STEPS.length}`));
  assert.deepEqual(JSON.stringify(shown.result), JSON.stringify(plain.result));
});
