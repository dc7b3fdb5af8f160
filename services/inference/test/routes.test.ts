import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { buildApp } from '../src/app';
import { ModelRegistry } from '../src/model-registry';
import type { ErrorBody, InferResponse } from '../src/types';
import { MODEL_DIR, rows, testConfig } from './helpers';

async function readyApp(t: { after(fn: () => unknown): void }, overrides = {}) {
  const registry = new ModelRegistry({ dir: MODEL_DIR, threads: 1 });
  const app = buildApp(testConfig(overrides), { registry });
  t.after(() => app.close());
  await registry.loadAll();
  return app;
}

const post = (payload: unknown) => ({ method: 'POST' as const, url: '/v1/infer', payload: payload as Record<string, unknown> });

test('POST /v1/infer answers one prediction per row with the default model', async (t) => {
  const app = await readyApp(t);
  const res = await app.inject(post({ instances: rows(5) }));
  assert.equal(res.statusCode, 200);
  const body = res.json<InferResponse>();
  assert.deepEqual(body.model, { name: 'churn-forest', version: 'v1' });
  assert.equal(body.predictions.length, 5);
  for (const p of body.predictions) {
    assert.ok(p.class === 0 || p.class === 1);
    assert.equal(p.probabilities.length, 2);
    assert.ok(Math.abs((p.probabilities[0] ?? 0) + (p.probabilities[1] ?? 0) - 1) < 1e-5);
    assert.equal(p.confidence, Math.max(...p.probabilities));
    assert.equal(p.class, (p.probabilities[1] ?? 0) > 0.5 ? 1 : 0);
  }
});

test('model_version in the body picks the model; DEFAULT_MODEL_VERSION changes the default', async (t) => {
  const app = await readyApp(t, { defaultModelVersion: 'v2' });
  const batch = rows(40);
  const v2 = (await app.inject(post({ instances: batch }))).json<InferResponse>();
  const v1 = (await app.inject(post({ instances: batch, model_version: 'v1' }))).json<InferResponse>();
  assert.equal(v2.model.version, 'v2');
  assert.equal(v1.model.version, 'v1');
  // Different forests: at least one probability must differ.
  assert.ok(v1.predictions.some((p, i) => p.probabilities[1] !== v2.predictions[i]?.probabilities[1]));
});

test('unknown model version → 400 listing the available versions', async (t) => {
  const app = await readyApp(t);
  const res = await app.inject(post({ instances: rows(1), model_version: 'v9' }));
  assert.equal(res.statusCode, 400);
  const body = res.json<ErrorBody>();
  assert.equal(body.code, 'INF_UNKNOWN_MODEL_VERSION');
  assert.match(body.message, /'v9'.*available versions: v1, v2/);
});

test('a row with the wrong feature count → 400 naming the row and the expected count', async (t) => {
  const app = await readyApp(t);
  const batch = rows(3);
  batch[2] = batch[2]?.slice(0, 11) ?? [];
  const res = await app.inject(post({ instances: batch }));
  assert.equal(res.statusCode, 400);
  const body = res.json<ErrorBody>();
  assert.equal(body.code, 'INF_WRONG_FEATURE_COUNT');
  assert.match(body.message, /instances\/2 has 11 values; the model expects 12 features \(tenure_months,/);
});

test('a non-finite value → 400 naming the row and the feature', async (t) => {
  const app = await readyApp(t);
  const [good, bad] = rows(2);
  // JSON has no Infinity literal, but 1e999 parses to it.
  const raw = `{"instances":[${JSON.stringify(good)},[${bad?.slice(0, 3).join(',')},1e999,${bad?.slice(4).join(',')}]]}`;
  const res = await app.inject({ method: 'POST', url: '/v1/infer', headers: { 'content-type': 'application/json' }, payload: raw });
  assert.equal(res.statusCode, 400);
  const body = res.json<ErrorBody>();
  assert.equal(body.code, 'INF_NON_FINITE_FEATURE');
  assert.match(body.message, /instances\/1\/3 \(logins_per_week\) is not a finite number/);
});

test('a finite value beyond float32 (1e308 would become Infinity in the model input) → 400 naming the row and the feature', async (t) => {
  const app = await readyApp(t);
  for (const v of [1e308, -1e39]) {
    const [good, bad] = rows(2);
    bad![5] = v;
    const res = await app.inject(post({ instances: [good, bad] }));
    assert.equal(res.statusCode, 400, String(v));
    const body = res.json<ErrorBody>();
    assert.equal(body.code, 'INF_FEATURE_OUT_OF_RANGE');
    assert.match(body.message, /^body\/instances\/1\/5 \(\w+\) is outside the float32 range/);
  }
  // The largest float32 itself is fine.
  const [edge] = rows(1);
  edge![5] = 3.4028234663852886e38;
  assert.equal((await app.inject(post({ instances: [edge] }))).statusCode, 200);
});

test('schema violations → 400 naming the field', async (t) => {
  const app = await readyApp(t);
  const cases: Array<[unknown, RegExp]> = [
    [{}, /must have required property 'instances'/],
    [{ instances: [] }, /instances must NOT have fewer than 1 items/],
    [{ instances: rows(257) }, /instances must NOT have more than 256 items/],
    [{ instances: [[1, 2, '3', 4, 5, 6, 7, 8, 9, 10, 11, 12]] }, /instances\/0\/2 must be number/],
    [{ instances: [[1, 2, null, 4, 5, 6, 7, 8, 9, 10, 11, 12]] }, /instances\/0\/2 must be number/],
    [{ instances: 'abc' }, /instances must be array/],
    [{ instances: rows(1), model_version: 7 }, /model_version must be string/],
    [{ instances: rows(1), modelVersion: 'v2' }, /^body has unknown property 'modelVersion'$/],
  ];
  for (const [payload, message] of cases) {
    const res = await app.inject(post(payload));
    assert.equal(res.statusCode, 400, JSON.stringify(payload).slice(0, 80));
    assert.match(res.json<ErrorBody>().message, message);
  }
  const notJson = await app.inject({ method: 'POST', url: '/v1/infer', headers: { 'content-type': 'application/json' }, payload: '{"instances": [' });
  assert.equal(notJson.statusCode, 400);
  assert.equal(notJson.json<ErrorBody>().code, 'INF_INVALID_JSON');
  const plain = await app.inject({ method: 'POST', url: '/v1/infer', headers: { 'content-type': 'text/plain' }, payload: '{"instances": [[1]]}' });
  assert.equal(plain.statusCode, 415);
  assert.equal(plain.json<ErrorBody>().code, 'INF_UNSUPPORTED_MEDIA_TYPE');
});

test('GET /health and /ready; unknown routes → 404 JSON', async (t) => {
  const app = await readyApp(t);
  assert.deepEqual((await app.inject({ url: '/health' })).json(), { status: 'ok' });
  const ready = await app.inject({ url: '/ready' });
  assert.equal(ready.statusCode, 200);
  assert.deepEqual(ready.json<{ models: string[] }>().models, ['v1', 'v2']);
  const missing = await app.inject({ url: '/v1/nothing' });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json<ErrorBody>().code, 'INF_NOT_FOUND');
});

test('without loadable models /ready and /v1/infer answer 503 with the reason', async (t) => {
  const empty = mkdtempSync(join(tmpdir(), 'mltrace-no-models-'));
  const registry = new ModelRegistry({ dir: empty, threads: 1 });
  const app = buildApp(testConfig({ modelDir: empty }), { registry });
  t.after(() => app.close());
  await assert.rejects(registry.loadAll(), { code: 'INF_NO_MODELS', message: /no <version>\.onnx files/ });
  const ready = await app.inject({ url: '/ready' });
  assert.equal(ready.statusCode, 503);
  assert.equal(ready.json<ErrorBody>().code, 'INF_NOT_READY');
  assert.match(ready.json<ErrorBody>().message, /model loading failed: no <version>\.onnx files/);
  const infer = await app.inject(post({ instances: rows(1) }));
  assert.equal(infer.statusCode, 503);
});

test('/ready is 503 while models are still loading, then 200', async (t) => {
  const app = buildApp(testConfig());
  t.after(() => app.close());
  // buildApp starts loading without waiting: the first answer comes before the sessions exist.
  const early = await app.inject({ url: '/ready' });
  assert.equal(early.statusCode, 503);
  assert.match(early.json<ErrorBody>().message, /still loading/);
  let status = 0;
  for (let i = 0; i < 100 && status !== 200; i++) {
    await new Promise((r) => setTimeout(r, 20));
    status = (await app.inject({ url: '/ready' })).statusCode;
  }
  assert.equal(status, 200);
});

test('through a real socket: supertest POST /v1/infer', async (t) => {
  const app = await readyApp(t);
  await app.ready();
  const res = await request(app.server).post('/v1/infer').send({ instances: rows(32), model_version: 'v2' }).expect('content-type', /json/).expect(200);
  const body = res.body as InferResponse;
  assert.equal(body.model.version, 'v2');
  assert.equal(body.predictions.length, 32);
  await request(app.server).post('/v1/infer').send({ instances: [[1, 2]] }).expect(400);
});
