#!/usr/bin/env node
// Runs every package's compiled tests in ONE `node --test` invocation so CI sees a single summary.
// Usage: npm test -- [filter]   (filter: substring of the test file path; npm test builds and lints first)
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const filter = process.argv[2];
const files = [];
for (const group of ['packages', 'services']) {
  for (const pkg of readdirSync(join(root, group))) {
    const dir = join(root, group, pkg, 'dist', 'test');
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir, { recursive: true })) {
      const rel = String(f);
      if (rel.endsWith('.test.js')) files.push(join(dir, rel));
    }
  }
}
// The workshop's lab runs take minutes each and mostly wait (every lab starts a system, sends 10
// requests/s for 8 s, waits for the export): they start first, each in a slot of its own beside the
// two files at a time the rest of the suite gets, so the run lasts about as long as the longest of
// them instead of their sum on top of everything else.
const WAITING = ['/workshop/dist/test/labs.test.js', '/workshop/dist/test/labs-jaeger.test.js', '/workshop/dist/test/mystery.test.js'];
const isWaiting = (f) => WAITING.some((w) => f.endsWith(w));
const chosen = filter ? files.filter((f) => f.includes(filter)) : files;
const selected = [...chosen.filter(isWaiting), ...chosen.filter((f) => !isWaiting(f))];
if (selected.length === 0) {
  console.error('no test files found: run the build first');
  process.exit(1);
}
// Two cores: two test files at a time (end-to-end files start several processes each) and two more
// slots for the waiting files. They start first, the three of them beside one other file; when the
// shortest (the mysteries) is done, its slot goes to the rest of the suite.
const waiting = selected.filter(isWaiting).length;
const concurrency = process.env.MLTRACE_TEST_CONCURRENCY || String(2 + Math.min(2, waiting));
// Say which Node runs the tests: the project's own (the `node` dev dependency, first on PATH in npm scripts).
console.log(`node ${process.version} (${process.execPath}): ${selected.length} test files, ${concurrency} at a time`);
const child = spawn(process.execPath, ['--test', `--test-concurrency=${concurrency}`, ...selected], {
  stdio: 'inherit',
  env: { ...process.env, NODE_ENV: 'test' },
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
