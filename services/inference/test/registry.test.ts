import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelRegistry } from '../src/model-registry';
import { runModel } from '../src/predict';
import { MODEL_DIR, rows } from './helpers';

test('loads every committed version once, with metadata from its model card', async (t) => {
  const registry = new ModelRegistry({ dir: MODEL_DIR, threads: 1 });
  t.after(() => registry.close());
  assert.equal(registry.ready, false);
  await registry.loadAll();
  await registry.loadAll(); // idempotent
  assert.equal(registry.ready, true);
  assert.deepEqual(registry.versions(), ['v1', 'v2']);
  for (const version of registry.versions()) {
    const card = JSON.parse(readFileSync(join(MODEL_DIR, `${version}.json`), 'utf8')) as { name: string; trees: number; features: string[] };
    const info = registry.get(version)?.info;
    assert.ok(info);
    assert.equal(info.name, card.name);
    assert.equal(info.trees, card.trees);
    assert.equal(info.featureCount, 12);
    assert.equal(info.opset, 'ai.onnx.ml:3');
    assert.ok(info.loadTimeMs > 0);
  }
  assert.equal(registry.get('v3'), undefined);
});

test('loadFresh compiles a new session that predicts the same as the cached one', async (t) => {
  const registry = new ModelRegistry({ dir: MODEL_DIR, threads: 1 });
  t.after(() => registry.close());
  await registry.loadAll();
  const cached = registry.get('v2');
  assert.ok(cached);
  const fresh = await registry.loadFresh('v2');
  t.after(() => fresh.session.release());
  assert.notEqual(fresh.session, cached.session);
  const batch = rows(16);
  assert.deepEqual(await runModel(fresh, batch), await runModel(cached, batch));
});

test('a model without a valid model card fails to load with a message naming the file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mltrace-models-'));
  copyFileSync(join(MODEL_DIR, 'v1.onnx'), join(dir, 'v1.onnx'));
  writeFileSync(join(dir, 'v1.json'), JSON.stringify({ name: 'x', version: 'v1' }));
  const registry = new ModelRegistry({ dir, threads: 1 });
  t.after(() => registry.close());
  await assert.rejects(registry.loadAll(), (err: Error & { code?: string; cause?: { code?: string } }) => {
    assert.equal(err.code, 'INF_MODEL_LOAD_FAILED');
    assert.equal(err.cause?.code, 'INF_INVALID_MODEL_CARD');
    assert.match(err.message, /Could not load model v1: .*model card .*v1\.json is missing/);
    return true;
  });
  assert.equal(registry.ready, false);
  assert.match(registry.notReadyReason, /model loading failed/);
});

test('a corrupt .onnx file is reported, not crashed on', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mltrace-models-'));
  copyFileSync(join(MODEL_DIR, 'v1.json'), join(dir, 'v1.json'));
  writeFileSync(join(dir, 'v1.onnx'), Buffer.from('not a protobuf at all'));
  const registry = new ModelRegistry({ dir, threads: 1 });
  t.after(() => registry.close());
  await assert.rejects(registry.loadAll(), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'INF_MODEL_LOAD_FAILED');
    assert.match(err.message, /Could not load model v1: .*v1\.onnx/);
    return true;
  });
});
