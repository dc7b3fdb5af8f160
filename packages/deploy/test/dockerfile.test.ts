import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseDockerfile, finalStage, execForm, IMAGES, readWorkspaces, renderDockerfile, runtimeClosure } from '../src';
import { repoRoot, SERVICES, DEFAULT_PORTS } from './paths';

const workspaces = ['packages', 'services'].flatMap((g) =>
  readdirSync(join(repoRoot, g))
    .filter((d) => existsSync(join(repoRoot, g, d, 'package.json')))
    .map((d) => `${g}/${d}`),
);

const images = [...SERVICES.map((s) => `services/${s}/Dockerfile`), 'packages/analysis/Dockerfile'];

for (const rel of images) {
  test(`${rel}: multi-stage, non-root, preload, healthcheck`, () => {
    const path = join(repoRoot, rel);
    assert.ok(existsSync(path), `${rel} exists`);
    const all = parseDockerfile(path);
    const froms = all.filter((i) => i.keyword === 'FROM');
    assert.ok(froms.length >= 2, 'multi-stage build');
    assert.match(froms.at(-1)!.args, /slim/, 'runtime stage is a slim Node image');

    const last = finalStage(all);
    const users = last.filter((i) => i.keyword === 'USER');
    assert.ok(users.length > 0, 'final stage sets USER');
    assert.doesNotMatch(users.at(-1)!.args, /^(root|0)(:|$)/, 'final USER is not root');

    // Only package manifests and the compiled output reach the runtime image, never sources.
    for (const copy of last.filter((i) => i.keyword === 'COPY')) {
      assert.match(copy.args, /--from=/, `line ${copy.line}: runtime stage copies only from build stages`);
      const from = copy.args.split(/\s+/).filter((a) => !a.startsWith('--'))[0] ?? '';
      assert.match(from, /(package\.json|\/dist\/src|\/node_modules|\/models)$/, `line ${copy.line}: only manifests, dependencies, compiled output and models`);
    }

    // Every workspace manifest is present for `npm ci`, or the lockfile would not match.
    const copied = all.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    for (const ws of workspaces) {
      assert.ok(copied.some((a) => a.startsWith(`${ws}/package.json `)), `${rel} copies ${ws}/package.json`);
    }
    assert.ok(all.some((i) => i.keyword === 'RUN' && /npm ci --omit=dev/.test(i.args)), 'production dependencies only');
  });
}

for (const svc of SERVICES) {
  test(`services/${svc}/Dockerfile starts with the tracing preload and checks /health`, () => {
    const last = finalStage(parseDockerfile(join(repoRoot, 'services', svc, 'Dockerfile')));
    const cmd = last.filter((i) => i.keyword === 'CMD').at(-1);
    assert.ok(cmd, 'CMD present');
    const argv = execForm(cmd.args);
    assert.ok(argv, 'exec-form CMD, so node is PID 1 behind --init and gets SIGTERM');
    const r = argv.indexOf('--require');
    assert.ok(r >= 0 && argv[r + 1] === '@mltrace/tracing/register', 'preloads @mltrace/tracing/register');
    assert.equal(argv.at(-1), 'dist/src/server.js');
    const hc = last.find((i) => i.keyword === 'HEALTHCHECK');
    assert.ok(hc && /\/health/.test(hc.args), 'HEALTHCHECK probes /health');
    const expose = last.find((i) => i.keyword === 'EXPOSE');
    assert.equal(Number(expose?.args), DEFAULT_PORTS[svc]);
    const env = last.filter((i) => i.keyword === 'ENV').map((i) => i.args).join(' ');
    assert.match(env, new RegExp(`PORT=${DEFAULT_PORTS[svc]}\\b`));
    assert.ok(existsSync(join(repoRoot, 'services', svc, 'src', 'server.ts')), 'the started file has a source');
  });
}

test('inference image carries the committed ONNX models', () => {
  const last = finalStage(parseDockerfile(join(repoRoot, 'services/inference/Dockerfile')));
  assert.ok(last.some((i) => i.keyword === 'COPY' && /services\/inference\/models/.test(i.args)));
});

test('.dockerignore keeps node_modules and build output out of the context', () => {
  const lines = readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
  assert.ok(lines.includes('**/node_modules'));
  assert.ok(lines.includes('**/dist'));
});

test('every Dockerfile is what the one template renders from the current package manifests', () => {
  // A new workspace or a new runtime dependency changes the rendering; `npm run sync:dockerfiles` updates the files.
  const workspaces = readWorkspaces(repoRoot);
  for (const spec of IMAGES) {
    const committed = readFileSync(join(repoRoot, spec.path), 'utf8');
    assert.equal(committed, renderDockerfile(spec, workspaces), `${spec.path} is stale: run npm run sync:dockerfiles`);
  }
});

test('the runtime closure follows production dependencies only, dependencies first', () => {
  const closure = runtimeClosure(readWorkspaces(repoRoot), ['services/gateway']);
  assert.equal(closure.at(-1), 'services/gateway');
  assert.ok(closure.indexOf('packages/service-kit') < closure.indexOf('services/gateway'));
  assert.ok(closure.includes('services/inference'), 'the gateway runs the inference client');
  assert.ok(!closure.includes('packages/testkit') && !closure.includes('packages/stack'), 'no dev-only workspaces');
});
