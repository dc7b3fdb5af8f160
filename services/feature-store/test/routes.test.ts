import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FEATURE_NAMES, customerId, generateCustomers } from '@mltrace/dataset';
import { buildApp } from '../src/app';
import type { FeaturesResponse } from '../src/types';
import { postFeatures, testConfig } from './support';

const customers = generateCustomers({ count: 500 });

test('feature store routes (in-memory backend)', async (t) => {
  const app = buildApp(testConfig());
  t.after(() => app.close());

  await t.test('health and readiness', async () => {
    assert.equal((await app.inject('/health')).statusCode, 200);
    const ready = await app.inject('/ready');
    assert.equal(ready.statusCode, 200);
    assert.equal(ready.json().backend, 'memory');
  });

  await t.test('batch lookup returns vectors in FEATURE_NAMES order and lists missing entities', async () => {
    const ids = [customerId(1), 'cust-99999', customerId(42), 'nobody'];
    const res = await postFeatures(app, { entities: ids });
    assert.equal(res.statusCode, 200);
    const body = res.json<FeaturesResponse>();
    assert.equal(body.featureVersion, 'v1');
    assert.deepEqual(body.features, [...FEATURE_NAMES]);
    assert.deepEqual(
      body.vectors.map((v) => v.entity),
      [customerId(1), customerId(42)],
    );
    assert.deepEqual(body.vectors[0]?.values, customers[0]?.features);
    assert.deepEqual(body.vectors[1]?.values, customers[41]?.features);
    assert.deepEqual(body.missing, ['cust-99999', 'nobody']);
  });

  await t.test('a feature subset comes back in the requested order, duplicates folded', async () => {
    const wanted = [FEATURE_NAMES[3] as string, FEATURE_NAMES[0] as string, FEATURE_NAMES[3] as string];
    const res = await postFeatures(app, { entities: [customerId(7)], features: wanted });
    assert.equal(res.statusCode, 200);
    const body = res.json<FeaturesResponse>();
    assert.deepEqual(body.features, [FEATURE_NAMES[3], FEATURE_NAMES[0]]);
    const c = customers[6];
    assert.deepEqual(body.vectors[0]?.values, [c?.features[3], c?.features[0]]);
  });

  await t.test('all entities missing is still a 200 with every entity listed', async () => {
    const res = await postFeatures(app, { entities: ['cust-90001', 'cust-90002'] });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json<FeaturesResponse>().missing, ['cust-90001', 'cust-90002']);
    assert.deepEqual(res.json<FeaturesResponse>().vectors, []);
  });

  const badRequests: Array<[string, unknown, RegExp]> = [
    ['no entities field', {}, /entities/],
    ['empty entities', { entities: [] }, /entities/],
    ['entities not an array', { entities: 'cust-00001' }, /entities/],
    ['an empty entity id', { entities: [''] }, /entities\/0/],
    ['an entity id with spaces', { entities: ['cust 1'] }, /entities\/0/],
    ['a non-string entity', { entities: [42] }, /entities\/0/],
    ['features not an array', { entities: ['cust-00001'], features: 'tenure' }, /features/],
    ['an unknown property', { entities: ['cust-00001'], region: 'eu-west' }, /^body has unknown property 'region'$/],
  ];
  for (const [name, body, field] of badRequests) {
    await t.test(`400 for ${name}, naming the field`, async () => {
      const res = await postFeatures(app, body);
      assert.equal(res.statusCode, 400);
      const err = res.json();
      assert.equal(err.code, 'FST_ERR_VALIDATION');
      assert.match(err.message, field);
      assert.equal(err.error, 'Bad Request');
    });
  }

  await t.test('400 FST_UNKNOWN_FEATURE names the unknown features', async () => {
    const res = await postFeatures(app, { entities: ['cust-00001'], features: [FEATURE_NAMES[0], 'shoe_size', 'iq'] });
    assert.equal(res.statusCode, 400);
    const err = res.json();
    assert.equal(err.code, 'FST_UNKNOWN_FEATURE');
    assert.match(err.message, /shoe_size, iq/);
    assert.doesNotMatch(err.message.split('Known')[0], new RegExp(`${FEATURE_NAMES[0]}`));
  });

  await t.test('400 FST_BATCH_TOO_LARGE above the batch limit', async () => {
    const entities = Array.from({ length: 257 }, (_, i) => customerId(i + 1));
    const res = await postFeatures(app, { entities });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().code, 'FST_BATCH_TOO_LARGE');
    assert.match(res.json().message, /257.*256/);
    const ok = await postFeatures(app, { entities: entities.slice(0, 256) });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.json<FeaturesResponse>().vectors.length, 256);
  });

  await t.test('malformed JSON is a 400, not a 500', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/features', payload: '{"entities": [', headers: { 'content-type': 'application/json' } });
    assert.equal(res.statusCode, 400);
    assert.equal(typeof res.json().code, 'string');
  });

  await t.test('unknown route is a JSON 404 with a code', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/nothing' });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().code, 'FST_NOT_FOUND');
  });
});

test('FEATURE_VERSION and FEATURE_MAX_BATCH_SIZE come from the environment', async (t) => {
  const app = buildApp(testConfig({ FEATURE_VERSION: 'v7', FEATURE_MAX_BATCH_SIZE: '2' }));
  t.after(() => app.close());
  const ok = await postFeatures(app, { entities: ['cust-00001', 'cust-00002'] });
  assert.equal(ok.json<FeaturesResponse>().featureVersion, 'v7');
  const tooMany = await postFeatures(app, { entities: ['cust-00001', 'cust-00002', 'cust-00003'] });
  assert.equal(tooMany.json().code, 'FST_BATCH_TOO_LARGE');
});
