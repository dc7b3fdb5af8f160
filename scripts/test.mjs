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
const selected = filter ? files.filter((f) => f.includes(filter)) : files;
if (selected.length === 0) {
  console.error('no test files found: run the build first');
  process.exit(1);
}
// Say which Node runs the tests: the project's own (the `node` dev dependency, first on PATH in npm scripts).
console.log(`node ${process.version} (${process.execPath}): ${selected.length} test files`);
// Two cores: run two test files at a time; end-to-end files start several processes each.
const concurrency = process.env.MLTRACE_TEST_CONCURRENCY ?? '2';
const child = spawn(process.execPath, ['--test', `--test-concurrency=${concurrency}`, ...selected], {
  stdio: 'inherit',
  env: { ...process.env, NODE_ENV: 'test' },
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
