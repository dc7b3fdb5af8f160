import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { freePort } from '@mltrace/testkit';
import { buildApp } from '../src/app';
import { DependencyError, PostprocessClient } from '../src/client';
import { FLAKY_EVERY } from '../src/scenario';
import { output, testConfig } from './support';

async function listening(env: Record<string, string> = {}) {
  const app = buildApp(testConfig(env));
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, baseUrl: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

test('through a real socket', async (t) => {
  const { app, baseUrl } = await listening();
  t.after(() => app.close());

  await t.test('supertest: success and a validation error', async () => {
    const ok = await request(app.server).post('/v1/postprocess').send({ predictions: [output(0.9, 'cust-00009')] }).expect(200);
    assert.equal(ok.body.predictions[0].label, 'churn');
    assert.equal(ok.body.predictions[0].entity, 'cust-00009');
    const bad = await request(app.server).post('/v1/postprocess').send({ predictions: 'nope' }).expect(400);
    assert.match(bad.body.message, /predictions/);
  });

  await t.test('client: typed call and readiness', async (tt) => {
    const client = new PostprocessClient({ baseUrl });
    tt.after(() => client.close());
    const res = await client.postprocess({ predictions: [output(0.1), output(0.95)], segment: 'smb' });
    assert.deepEqual(
      res.predictions.map((p) => p.label),
      ['retain', 'churn'],
    );
    assert.equal(res.segment, 'smb');
    assert.equal(await client.ready(), true);
  });

  await t.test('client: a 400 becomes a DependencyError with status and code', async (tt) => {
    const client = new PostprocessClient({ baseUrl });
    tt.after(() => client.close());
    const err = await client.postprocess({ predictions: [{ class: 1, probabilities: [0.9, 0.9], confidence: 0.9 }] }).catch((e: unknown) => e);
    assert.ok(err instanceof DependencyError);
    assert.equal(err.dependency, 'postprocess');
    assert.equal(err.kind, 'http');
    assert.equal(err.status, 400);
    assert.equal(err.code, 'PP_INVALID_PREDICTION');
  });
});

test('client: the planted flaky failure arrives as status 500, code PP_FLAKY_FAILURE', async (t) => {
  const { app, baseUrl } = await listening({ MLTRACE_SCENARIO: 'flaky-postprocess' });
  t.after(() => app.close());
  const client = new PostprocessClient({ baseUrl });
  t.after(() => client.close());
  const results = [];
  for (let i = 0; i < FLAKY_EVERY; i++) results.push(await client.postprocess({ predictions: [output(0.5)] }).catch((e: unknown) => e));
  const failures = results.filter((r) => r instanceof DependencyError);
  assert.equal(failures.length, 1);
  const err = failures[0] as DependencyError;
  assert.equal(err.status, 500);
  assert.equal(err.code, 'PP_FLAKY_FAILURE');
  assert.equal(err.kind, 'http');
});

test('client: nothing listening is kind unavailable', async (t) => {
  const client = new PostprocessClient({ baseUrl: `http://127.0.0.1:${await freePort()}`, timeoutMs: 500 });
  t.after(() => client.close());
  const err = await client.postprocess({ predictions: [output(0.5)] }).catch((e: unknown) => e);
  assert.ok(err instanceof DependencyError);
  assert.equal(err.kind, 'unavailable');
  assert.equal(await client.ready(), false);
});
