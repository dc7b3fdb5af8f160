// npm checks `engines` against the Node that runs npm, which on a machine with an
// older system Node is not the Node the project runs on (the `node` dev dependency,
// first on PATH in every npm script); .npmrc therefore keeps npm's warnings quiet,
// and this test does the check against the Node that actually runs the code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { satisfies } from 'semver';

const ROOT = join(__dirname, '..', '..', '..', '..');

function* packageDirs(nodeModules: string): Generator<string> {
  if (!existsSync(nodeModules)) return;
  for (const entry of readdirSync(nodeModules, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const dir = join(nodeModules, entry.name);
    if (entry.name.startsWith('@')) {
      for (const scoped of readdirSync(dir, { withFileTypes: true })) {
        if (scoped.isDirectory()) yield* withNested(join(dir, scoped.name));
      }
    } else if (entry.isDirectory()) {
      yield* withNested(dir);
    }
  }
}

function* withNested(dir: string): Generator<string> {
  yield dir;
  yield* packageDirs(join(dir, 'node_modules'));
}

test('the tests run on the Node the project brings (the root package.json pins it), which meets the root engines', () => {
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  assert.equal(process.version, `v${root.devDependencies.node}`, 'npm scripts put node_modules/.bin/node first on PATH');
  assert.ok(satisfies(process.version, root.engines.node), `${process.version} satisfies ${root.engines.node}`);
});

test('every installed package accepts the Node the project runs on (its engines.node)', () => {
  const bad: string[] = [];
  let checked = 0;
  const workspaces = ['packages', 'services'].flatMap((g) => readdirSync(join(ROOT, g)).map((p) => join(ROOT, g, p, 'node_modules')));
  for (const nodeModules of [join(ROOT, 'node_modules'), ...workspaces]) {
    for (const dir of packageDirs(nodeModules)) {
      const file = join(dir, 'package.json');
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string; engines?: { node?: string } };
      const range = pkg.engines?.node;
      if (typeof range !== 'string') continue;
      checked++;
      if (!satisfies(process.version, range, { includePrerelease: true })) bad.push(`${pkg.name}@${pkg.version} wants node ${range}`);
    }
  }
  assert.ok(checked > 50, `engines of ${checked} packages checked`);
  assert.deepEqual(bad, []);
});
