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
// The longest files first (the workshop's lab runs: minutes each, where every other file takes
// seconds), so the short ones fill the gaps at the end instead of the long ones running on alone.
// More files at a time did not help: with four, the lab runs took half as long again (2 cores).
const LONGEST = ['/workshop/dist/test/labs.test.js', '/workshop/dist/test/labs-jaeger.test.js', '/workshop/dist/test/mystery.test.js'];
const isLong = (f) => LONGEST.some((w) => f.endsWith(w));
const chosen = filter ? files.filter((f) => f.includes(filter)) : files;
const selected = [...chosen.filter(isLong), ...chosen.filter((f) => !isLong(f))];
if (selected.length === 0) {
  console.error('no test files found: run the build first');
  process.exit(1);
}
// Two cores: run two test files at a time; end-to-end files start several processes each.
const concurrency = process.env.MLTRACE_TEST_CONCURRENCY || '2';
// Say which Node runs the tests: the project's own (the `node` dev dependency, first on PATH in npm scripts).
console.log(`node ${process.version} (${process.execPath}): ${selected.length} test files, ${concurrency} at a time`);
const child = spawn(process.execPath, ['--test', `--test-concurrency=${concurrency}`, ...selected], {
  stdio: 'inherit',
  env: { ...process.env, NODE_ENV: 'test' },
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
