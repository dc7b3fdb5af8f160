// bench:hop --instructions reads callgrind's output files: the count line of the valgrind installed here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasValgrind, parseCallgrindTotal } from '../src';

test('the instruction count of a callgrind file: its summary line, or totals in older files; none is an error', () => {
  assert.equal(parseCallgrindTotal('version: 1\ncmd: node x\npart: 1\nevents: Ir\nsummary: 123456789\n\nfn=(1) main\n'), 123_456_789);
  assert.equal(parseCallgrindTotal('events: Ir\ntotals: 42\n'), 42);
  assert.throws(() => parseCallgrindTotal('events: Ir\n'), /no summary or totals/);
});

test("this machine's callgrind writes a count parseCallgrindTotal reads", { skip: !hasValgrind() && 'no valgrind' }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mltrace-cg-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const run = spawnSync('valgrind', ['-q', '--tool=callgrind', `--callgrind-out-file=${join(dir, 'cg.%p')}`, 'true'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const [file] = readdirSync(dir);
  assert.ok(file, 'callgrind wrote its file');
  // /bin/true still runs the dynamic loader: tens of thousands of instructions at the least.
  assert.ok(parseCallgrindTotal(readFileSync(join(dir, file), 'utf8')) > 10_000);
});
