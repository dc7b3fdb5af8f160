import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { customerId, generateCustomers } from '@mltrace/dataset';
import { freePort } from '@mltrace/testkit';
import { buildApp } from '../src/app';
import { DependencyError, FeatureStoreClient } from '../src/client';
import { testConfig } from './support';

const customers = generateCustomers({ count: 10 });

test('through a real socket', async (t) => {
  const app = buildApp(testConfig());
  t.after(() => app.close());
  await app.listen({ host: '127.0.0.1', port: 0 });
  const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  await t.test('supertest: lookup and a validation error', async () => {
    const ok = await request(app.server).post('/v1/features').send({ entities: [customerId(2), 'cust-00000'] }).expect(200);
    assert.deepEqual(ok.body.vectors[0].values, customers[1]?.features);
    assert.deepEqual(ok.body.missing, ['cust-00000']);
    const bad = await request(app.server).post('/v1/features').send({ entities: [] }).expect(400);
    assert.equal(bad.body.code, 'FST_ERR_VALIDATION');
  });

  await t.test('client: typed lookup', async (tt) => {
    const client = new FeatureStoreClient({ baseUrl });
    tt.after(() => client.close());
    const res = await client.getFeatures({ entities: [customerId(3)] });
    assert.deepEqual(res.vectors[0]?.values, customers[2]?.features);
    assert.equal(await client.ready(), true);
  });

  await t.test('client: a 400 becomes a DependencyError with status and code', async (tt) => {
    const client = new FeatureStoreClient({ baseUrl });
    tt.after(() => client.close());
    const err = await client.getFeatures({ entities: ['cust-00001'], features: ['nope'] }).then(
      () => assert.fail('expected a rejection'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof DependencyError);
    assert.equal(err.dependency, 'feature-store');
    assert.equal(err.kind, 'http');
    assert.equal(err.status, 400);
    assert.equal(err.code, 'FST_UNKNOWN_FEATURE');
    assert.match(err.message, /nope/);
  });
});

test('client: Redis unavailable behind the service is kind unavailable with the service code', async (t) => {
  const app = buildApp(testConfig({ REDIS_URL: `redis://127.0.0.1:${await freePort()}` }));
  t.after(() => app.close());
  await app.listen({ host: '127.0.0.1', port: 0 });
  const client = new FeatureStoreClient({ baseUrl: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` });
  t.after(() => client.close());
  const err = await client.getFeatures({ entities: ['cust-00001'] }).catch((e: unknown) => e);
  assert.ok(err instanceof DependencyError);
  assert.equal(err.kind, 'unavailable');
  assert.equal(err.status, 503);
  assert.equal(err.code, 'FST_REDIS_UNAVAILABLE');
  assert.equal(await client.ready(), false);
});

test('client: nothing listening is kind unavailable', async (t) => {
  const client = new FeatureStoreClient({ baseUrl: `http://127.0.0.1:${await freePort()}` });
  t.after(() => client.close());
  const err = await client.getFeatures({ entities: ['cust-00001'] }).catch((e: unknown) => e);
  assert.ok(err instanceof DependencyError);
  assert.equal(err.kind, 'unavailable');
  assert.equal(err.code, 'ECONNREFUSED');
  assert.equal(err.status, undefined);
});

test('client: a server that never answers is kind timeout after timeoutMs', async (t) => {
  const silent = createServer(() => {});
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  t.after(() => {
    silent.closeAllConnections();
    silent.close();
  });
  const client = new FeatureStoreClient({ baseUrl: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, timeoutMs: 150 });
  t.after(() => client.close());
  const start = Date.now();
  const err = await client.getFeatures({ entities: ['cust-00001'] }).catch((e: unknown) => e);
  assert.ok(err instanceof DependencyError);
  assert.equal(err.kind, 'timeout');
  assert.equal(err.timeout, true);
  assert.ok(Date.now() - start < 1000);
});

test("client: the caller's signal ends the call", async (t) => {
  const silent = createServer(() => {});
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  t.after(() => {
    silent.closeAllConnections();
    silent.close();
  });
  const client = new FeatureStoreClient({ baseUrl: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, timeoutMs: 5000 });
  t.after(() => client.close());
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 50);
  const err = await client.getFeatures({ entities: ['cust-00001'] }, { signal: controller.signal }).catch((e: unknown) => e);
  assert.ok(err instanceof DependencyError);
  assert.equal(err.kind, 'aborted');
});
