import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '@mltrace/testkit';
import { buildApp } from '../src/app';
import { DependencyError, InferenceClient } from '../src/client';
import { ModelRegistry } from '../src/model-registry';
import { MODEL_DIR, rows, testConfig } from './helpers';

async function listeningApp(t: { after(fn: () => unknown): void }): Promise<string> {
  const registry = new ModelRegistry({ dir: MODEL_DIR, threads: 1 });
  const app = buildApp(testConfig(), { registry });
  t.after(() => app.close());
  await registry.loadAll();
  return app.listen({ host: '127.0.0.1', port: 0 });
}

test('infer() and ready() against a real listening service', async (t) => {
  const baseUrl = await listeningApp(t);
  const client = new InferenceClient({ baseUrl, timeoutMs: 2000 });
  t.after(() => client.close());
  assert.equal(await client.ready(), true);
  const res = await client.infer({ instances: rows(8), model_version: 'v2' });
  assert.equal(res.model.version, 'v2');
  assert.equal(res.predictions.length, 8);
});

test('an error answer becomes a DependencyError with status and code', async (t) => {
  const baseUrl = await listeningApp(t);
  const client = new InferenceClient({ baseUrl });
  t.after(() => client.close());
  const err = await client.infer({ instances: rows(1), model_version: 'nope' }).then(
    () => assert.fail('expected an error'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof DependencyError);
  assert.equal(err.dependency, 'inference');
  assert.equal(err.kind, 'http');
  assert.equal(err.status, 400);
  assert.equal(err.code, 'INF_UNKNOWN_MODEL_VERSION');
  assert.match(err.message, /available versions: v1, v2/);
});

test('a service that never answers → timeout DependencyError within the limit', async (t) => {
  const held: Array<() => void> = [];
  const server: Server = createServer((_req, res) => held.push(() => res.end()));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    for (const release of held) release();
    server.closeAllConnections();
    return new Promise((r) => server.close(r));
  });
  const client = new InferenceClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, timeoutMs: 150 });
  t.after(() => client.close());
  const started = performance.now();
  const err = await client.infer({ instances: rows(1) }).catch((e: unknown) => e);
  const elapsed = performance.now() - started;
  assert.ok(err instanceof DependencyError);
  assert.equal(err.kind, 'timeout');
  assert.equal(err.timeout, true);
  assert.match(err.message, /did not answer within 150 ms/);
  assert.ok(elapsed < 1500, `took ${elapsed} ms`);
});

test('nothing listening → unavailable DependencyError; caller abort → aborted', async (t) => {
  const port = await freePort();
  const client = new InferenceClient({ baseUrl: `http://127.0.0.1:${port}` });
  t.after(() => client.close());
  const err = await client.infer({ instances: rows(1) }).catch((e: unknown) => e);
  assert.ok(err instanceof DependencyError);
  assert.equal(err.kind, 'unavailable');
  assert.equal(err.code, 'ECONNREFUSED');
  assert.equal(await client.ready(), false);

  const baseUrl = await listeningApp(t);
  const live = new InferenceClient({ baseUrl });
  t.after(() => live.close());
  const aborted = await live.infer({ instances: rows(1) }, { signal: AbortSignal.abort() }).catch((e: unknown) => e);
  assert.ok(aborted instanceof DependencyError);
  assert.equal(aborted.kind, 'aborted');
});
