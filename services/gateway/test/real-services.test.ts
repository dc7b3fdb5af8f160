// The gateway in-process against the REAL feature-store (private seeded Redis), inference (ONNX)
// and postprocess services, each its own process, started untraced by @mltrace/stack.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import supertest from 'supertest';
import { hasRedisServer, startSystem, type RunningSystem } from '@mltrace/stack';
import { buildApp } from '../src/app';
import { GatewayClient, GatewayError, isPredictResponse } from '../src/client';
import { createDeps } from '../src/clients';
import type { GatewayDeps } from '../src/deps';
import { configFor } from './support';

const tmp = mkdtempSync(join(tmpdir(), 'gateway-real-'));
let system: RunningSystem;
let app: ReturnType<typeof buildApp>;
let deps: GatewayDeps;

before(async () => {
  system = await startSystem({
    services: ['feature-store', 'inference', 'postprocess'],
    ports: 'auto',
    redis: hasRedisServer() ? 'private' : 'memory',
    seedCustomers: 500,
    tracing: false,
    tracesDir: join(tmp, 'traces'),
    logsDir: join(tmp, 'logs'),
  });
  const config = configFor({ 'feature-store': system.urls['feature-store'], inference: system.urls.inference, postprocess: system.urls.postprocess });
  deps = createDeps(config);
  app = buildApp(config, deps);
  await app.ready();
});

after(async () => {
  await app?.close();
  await deps?.close?.();
  await system?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('entities through the real pipeline: one prediction per known customer, model from baggage', async () => {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/predict',
    payload: { entities: ['cust-00001', 'cust-00002', 'cust-99999999', 'cust-00003'] },
    headers: { baggage: 'model_version=v2,customer_segment=enterprise' },
  });
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json();
  assert.deepEqual(
    body.predictions.map((p: { entity: string }) => p.entity),
    ['cust-00001', 'cust-00002', 'cust-00003'],
  );
  assert.deepEqual(body.missing, ['cust-99999999']);
  assert.equal(body.model.version, 'v2');
  for (const p of body.predictions) {
    assert.ok(p.probability >= 0 && p.probability <= 1);
    assert.ok(p.confidence >= 0.5 && p.confidence <= 1);
    assert.ok(['churn', 'retain'].includes(p.label));
    assert.ok(['low', 'medium', 'high'].includes(p.tier));
  }
});

test('the same customer gives the same answer by entity and by its raw feature vector', async () => {
  const features = await deps.featureStore.getFeatures({ entities: ['cust-00042'] });
  const vector = features.vectors[0]?.values;
  assert.ok(vector);
  const headers = { baggage: 'model_version=v1' };
  const byEntity = (await app.inject({ method: 'POST', url: '/v1/predict', payload: { entities: ['cust-00042'] }, headers })).json();
  const byVector = (await app.inject({ method: 'POST', url: '/v1/predict', payload: { instances: [vector] }, headers })).json();
  assert.equal(byVector.predictions[0].entity, null);
  assert.equal(byVector.predictions[0].probability, byEntity.predictions[0].probability);
  assert.equal(byVector.model.version, 'v1');
});

test('errors from the real services: unknown version, wrong feature count, unknown customers', async () => {
  const unknownVersion = await app.inject({ method: 'POST', url: '/v1/predict', payload: { entities: ['cust-00001'] }, headers: { baggage: 'model_version=v9' } });
  assert.equal(unknownVersion.statusCode, 400);
  assert.equal(unknownVersion.json().code, 'GW_DEPENDENCY_REJECTED');
  assert.match(unknownVersion.json().message, /v1, v2/);
  const shortRow = await app.inject({ method: 'POST', url: '/v1/predict', payload: { instances: [[1, 2, 3]] } });
  assert.equal(shortRow.statusCode, 400);
  assert.match(shortRow.json().message, /^inference rejected the request: .*12/);
  const nobody = await app.inject({ method: 'POST', url: '/v1/predict', payload: { entities: ['cust-99999998'] } });
  assert.equal(nobody.statusCode, 404);
  assert.equal(nobody.json().code, 'GW_ENTITIES_NOT_FOUND');
});

test('through a real socket with supertest', async () => {
  const res = await supertest(app.server)
    .post('/v1/predict')
    .set('baggage', 'model_version=v1,region=eu-west')
    .send({ entities: ['cust-00010'] })
    .expect(200)
    .expect('content-type', /json/);
  assert.equal(res.body.predictions.length, 1);
  assert.equal(res.headers['x-trace-id'], res.body.request_id);
});

test('GatewayClient: predict, predictRaw for error answers, GatewayError with code and trace id', async () => {
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const client = new GatewayClient({ baseUrl: address, timeoutMs: 5000 });
  try {
    const ok = await client.predict({ entities: ['cust-00011', 'cust-00012'] }, { baggage: { model_version: 'v2', customer_segment: 'smb' } });
    assert.equal(ok.predictions.length, 2);
    assert.equal(ok.model.version, 'v2');
    const raw = await client.predictRaw({ entities: [] });
    assert.equal(raw.statusCode, 400);
    assert.equal(isPredictResponse(raw.body), false);
    assert.match(raw.traceId ?? '', /^[0-9a-f]{32}$/);
    await assert.rejects(client.predict({ entities: ['nobody-here'] }), (err: unknown) => {
      assert.ok(err instanceof GatewayError);
      assert.equal(err.status, 404);
      assert.equal(err.code, 'GW_ENTITIES_NOT_FOUND');
      assert.match(err.traceId ?? '', /^[0-9a-f]{32}$/);
      return true;
    });
    assert.equal(await client.ready(), true);
  } finally {
    await client.close();
  }
  const gone = new GatewayClient({ baseUrl: 'http://127.0.0.1:1', timeoutMs: 1000 });
  await assert.rejects(gone.predict({ entities: ['cust-00001'] }), (err: unknown) => err instanceof GatewayError && err.kind === 'unavailable');
  await gone.close();
});

test('a stopped postprocess service → 503 naming it, and /ready says which', async () => {
  await system.stopService('postprocess');
  const res = await app.inject({ method: 'POST', url: '/v1/predict', payload: { entities: ['cust-00001'] } });
  assert.equal(res.statusCode, 503, res.body);
  assert.equal(res.json().code, 'GW_DEPENDENCY_UNAVAILABLE');
  assert.match(res.json().message, /^postprocess is unavailable/);
  const ready = await app.inject({ method: 'GET', url: '/ready' });
  assert.equal(ready.statusCode, 503);
  assert.match(ready.json().message, /postprocess/);
});
