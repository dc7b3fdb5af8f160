import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildApp } from '../src/app';
import { DEFAULT_THRESHOLDS } from '../src/config';
import { HIGH_RISK_FROM, LOW_RISK_BELOW } from '../src/decide';
import { FLAKY_EVERY } from '../src/scenario';
import type { PostprocessResponse } from '../src/types';
import { output, postprocess, testConfig } from './support';

test('postprocess routes', async (t) => {
  const app = buildApp(testConfig());
  t.after(() => app.close());

  await t.test('health and readiness', async () => {
    assert.equal((await app.inject('/health')).statusCode, 200);
    const ready = await app.inject('/ready');
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json().thresholds, DEFAULT_THRESHOLDS);
  });

  await t.test('labels, probabilities, confidence and tiers', async () => {
    const low = LOW_RISK_BELOW / 2;
    const mid = (LOW_RISK_BELOW + HIGH_RISK_FROM) / 2;
    const high = (HIGH_RISK_FROM + 1) / 2;
    const res = await postprocess(app, { predictions: [output(low, 'cust-00001'), output(mid), output(high, 'cust-00003')] });
    assert.equal(res.statusCode, 200);
    const body = res.json<PostprocessResponse>();
    assert.equal(body.segment, null);
    assert.equal(body.threshold, DEFAULT_THRESHOLDS.default);
    assert.deepEqual(
      body.predictions.map((p) => [p.entity, p.tier, p.label]),
      [
        ['cust-00001', 'low', low >= DEFAULT_THRESHOLDS.default ? 'churn' : 'retain'],
        [null, 'medium', mid >= DEFAULT_THRESHOLDS.default ? 'churn' : 'retain'],
        ['cust-00003', 'high', 'churn'],
      ],
    );
    assert.equal(body.predictions[2]?.probability, Math.round(high * 1e4) / 1e4);
    assert.equal(body.predictions[0]?.confidence, Math.round((1 - low) * 1e4) / 1e4);
  });

  await t.test('tier boundaries are inclusive at the upper cut-offs', async () => {
    const res = await postprocess(app, { predictions: [output(LOW_RISK_BELOW), output(HIGH_RISK_FROM)] });
    assert.deepEqual(
      res.json<PostprocessResponse>().predictions.map((p) => p.tier),
      ['medium', 'high'],
    );
  });

  await t.test('the threshold follows the segment from the body', async () => {
    // A probability between the enterprise and the default threshold flips with the segment.
    const p = (DEFAULT_THRESHOLDS.enterprise! + DEFAULT_THRESHOLDS.default) / 2;
    const ent = await postprocess(app, { predictions: [output(p)], segment: 'enterprise' });
    assert.equal(ent.json<PostprocessResponse>().predictions[0]?.label, 'churn');
    assert.equal(ent.json<PostprocessResponse>().threshold, DEFAULT_THRESHOLDS.enterprise);
    assert.equal(ent.json<PostprocessResponse>().segment, 'enterprise');
    const consumer = await postprocess(app, { predictions: [output(p)], segment: 'consumer' });
    assert.equal(consumer.json<PostprocessResponse>().predictions[0]?.label, 'retain');
    assert.equal(consumer.json<PostprocessResponse>().threshold, DEFAULT_THRESHOLDS.default);
  });

  const badRequests: Array<[string, unknown, RegExp]> = [
    ['no predictions', {}, /predictions/],
    ['empty predictions', { predictions: [] }, /predictions/],
    ['missing probabilities', { predictions: [{ class: 1, confidence: 0.9 }] }, /predictions\/0.*probabilities/],
    ['three probabilities', { predictions: [{ class: 1, probabilities: [0.1, 0.1, 0.8], confidence: 0.8 }] }, /predictions\/0\/probabilities/],
    ['a probability above 1', { predictions: [{ class: 1, probabilities: [-0.5, 1.5], confidence: 0.8 }] }, /predictions\/0\/probabilities\/0/],
    ['class 2', { predictions: [{ class: 2, probabilities: [0.5, 0.5], confidence: 0.5 }] }, /predictions\/0\/class/],
    ['confidence as a string', { predictions: [{ class: 1, probabilities: [0.2, 0.8], confidence: '0.8' }] }, /predictions\/0\/confidence/],
    ['an empty segment', { predictions: [output(0.5)], segment: '' }, /segment/],
    ['an unknown property', { predictions: [output(0.5)], threshold: 0.2 }, /^body has unknown property 'threshold'$/],
    ['an unknown property inside a prediction', { predictions: [{ ...output(0.5), label: 'churn' }] }, /^body\/predictions\/0 has unknown property 'label'$/],
  ];
  for (const [name, body, field] of badRequests) {
    await t.test(`400 for ${name}, naming the field`, async () => {
      const res = await postprocess(app, body);
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().code, 'FST_ERR_VALIDATION');
      assert.match(res.json().message, field);
    });
  }

  await t.test('a segment named after a built-in property is an unknown segment: 200 with the default threshold', async () => {
    for (const segment of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'prototype']) {
      const res = await postprocess(app, { predictions: [output(0.45)], segment });
      assert.equal(res.statusCode, 200, `${segment}: ${res.body}`);
      const body = res.json<PostprocessResponse>();
      assert.equal(body.threshold, DEFAULT_THRESHOLDS.default, segment);
      assert.equal(body.segment, segment);
      assert.equal(body.predictions[0]?.label, 'retain', segment);
    }
  });

  await t.test('400 PP_INVALID_PREDICTION when probabilities do not sum to 1', async () => {
    const res = await postprocess(app, { predictions: [output(0.2), { class: 1, probabilities: [0.7, 0.7], confidence: 0.7 }] });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().code, 'PP_INVALID_PREDICTION');
    assert.match(res.json().message, /predictions\/1\/probabilities must sum to 1 \(got 1\.4\)/);
  });

  await t.test('400 PP_BATCH_TOO_LARGE above the batch limit', async () => {
    const res = await postprocess(app, { predictions: Array.from({ length: 257 }, () => output(0.5)) });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().code, 'PP_BATCH_TOO_LARGE');
  });

  await t.test('malformed JSON is a 400 and unknown routes a JSON 404', async () => {
    const bad = await app.inject({ method: 'POST', url: '/v1/postprocess', payload: '{', headers: { 'content-type': 'application/json' } });
    assert.equal(bad.statusCode, 400);
    const missing = await app.inject('/v2/postprocess');
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().code, 'PP_NOT_FOUND');
  });

  await t.test('no request fails without the scenario', async () => {
    for (let i = 0; i < 2 * FLAKY_EVERY; i++) assert.equal((await postprocess(app, { predictions: [output(0.4)] })).statusCode, 200);
  });
});

test('THRESHOLDS from the environment apply per segment', async (t) => {
  const app = buildApp(testConfig({ THRESHOLDS: '{"default":0.9,"premium":0.1}' }));
  t.after(() => app.close());
  const premium = await postprocess(app, { predictions: [output(0.2)], segment: 'premium' });
  assert.equal(premium.json<PostprocessResponse>().predictions[0]?.label, 'churn');
  const other = await postprocess(app, { predictions: [output(0.8)], segment: 'unknown-segment' });
  assert.equal(other.json<PostprocessResponse>().threshold, 0.9);
  assert.equal(other.json<PostprocessResponse>().predictions[0]?.label, 'retain');
});

test('flaky-postprocess fails every FLAKY_EVERY-th call with a clear JSON error', async (t) => {
  const app = buildApp(testConfig({ MLTRACE_SCENARIO: 'flaky-postprocess' }));
  t.after(() => app.close());
  const statuses: number[] = [];
  for (let i = 1; i <= 4 * FLAKY_EVERY; i++) {
    const res = await postprocess(app, { predictions: [output(0.3)] });
    statuses.push(res.statusCode);
    if (res.statusCode !== 200) {
      const err = res.json();
      assert.equal(err.code, 'PP_FLAKY_FAILURE');
      assert.equal(err.statusCode, 500);
      assert.match(err.message, /flaky-postprocess/);
      assert.equal(err.stack, undefined);
    }
  }
  assert.equal(statuses.filter((s) => s === 500).length, 4);
  assert.equal(statuses[FLAKY_EVERY - 1], 500);
  assert.equal(statuses[0], 200);
});
