import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { freePort } from '@mltrace/stack';
import { buildApp } from '../src/app';
import { createDeps } from '../src/clients';
import { assignArm } from '../src/experiment';
import type { GatewayConfig } from '../src/types';
import { configFor, startContractServers, type ContractServers } from './support';

let servers: ContractServers;
before(async () => {
  servers = await startContractServers();
});
after(() => servers.close());
beforeEach(() => servers.reset());

/** Builds a gateway for `config`, runs `fn`, closes both the app and its clients. */
async function withGateway<T>(config: GatewayConfig, fn: (app: ReturnType<typeof buildApp>) => Promise<T>): Promise<T> {
  const deps = createDeps(config);
  const app = buildApp(config, deps);
  try {
    return await fn(app);
  } finally {
    await app.close();
    await deps.close?.();
  }
}

const predict = (app: ReturnType<typeof buildApp>, payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/v1/predict', payload: payload as object, headers });

describe('POST /v1/predict success paths', () => {
  test('entities: feature-store → inference → postprocess, missing reported, request_id = x-trace-id', async () => {
    await withGateway(configFor(servers.urls), async (app) => {
      const res = await predict(app, { entities: ['cust-1', 'ghost', 'cust-2'] }, { baggage: 'model_version=v2' });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.deepEqual(
        body.predictions.map((p: { entity: string }) => p.entity),
        ['cust-1', 'cust-2'],
      );
      assert.deepEqual(body.missing, ['ghost']);
      assert.deepEqual(body.model, { name: 'contract-forest', version: 'v2' });
      assert.match(body.request_id, /^[0-9a-f]{32}$/);
      assert.equal(res.headers['x-trace-id'], body.request_id);
      // Inference only sees the vectors that were found; the baggage version travels in the body too.
      assert.equal(servers.calls.inference[0]?.body.instances.length, 2);
      assert.equal(servers.calls.inference[0]?.body.model_version, 'v2');
    });
  });

  test('instances skip the feature store and give entity null', async () => {
    await withGateway(configFor(servers.urls), async (app) => {
      const res = await predict(app, { instances: [[99, 1], [0, 1]] }, { baggage: 'customer_segment=enterprise' });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.deepEqual(
        body.predictions.map((p: { entity: null; label: string }) => [p.entity, p.label]),
        [
          [null, 'churn'],
          [null, 'retain'],
        ],
      );
      assert.equal(servers.calls['feature-store'].length, 0);
      assert.equal(servers.calls.postprocess[0]?.body.segment, 'enterprise');
    });
  });

  test('the feature lookup and the profile enrichment run concurrently', async () => {
    servers.behaviour['feature-store'] = { delayMs: 150 };
    await withGateway(configFor(servers.urls), async (app) => {
      assert.equal((await predict(app, { entities: ['cust-1'] })).statusCode, 200);
    });
    const [a, b] = servers.calls['feature-store'];
    assert.ok(a && b, 'two feature-store calls');
    assert.ok(b.start < a.end && a.start < b.end, `calls overlap: ${JSON.stringify([a.start, a.end, b.start, b.end])}`);
    assert.deepEqual(b.body.features ?? a.body.features, ['monthly_spend', 'seats']);
  });

  test('scenario sequential-calls: the same two calls one after the other', async () => {
    servers.behaviour['feature-store'] = { delayMs: 150 };
    await withGateway(configFor(servers.urls, { MLTRACE_SCENARIO: 'sequential-calls' }), async (app) => {
      assert.equal((await predict(app, { entities: ['cust-1'] })).statusCode, 200);
    });
    const [a, b] = servers.calls['feature-store'];
    assert.ok(a && b, 'two feature-store calls');
    assert.ok(b.start >= a.end, `second call starts after the first ended: ${JSON.stringify([a.start, a.end, b.start, b.end])}`);
  });
});

describe('experiment assignment', () => {
  test('without model_version baggage the arm comes from a stable hash of the first entity', async () => {
    const config = configFor(servers.urls, { EXPERIMENT_SPLIT: 'control=v1:0.5,treatment=v2:0.5', EXPERIMENT_ID: 'exp-7' });
    const experiment = config.experiment;
    assert.ok(experiment);
    await withGateway(config, async (app) => {
      for (const entity of ['cust-00001', 'cust-00002', 'cust-00003', 'cust-00004']) {
        const res = await predict(app, { entities: [entity] });
        assert.equal(res.statusCode, 200);
        assert.equal(res.json().model.version, assignArm(experiment, entity).version);
      }
      // An explicit version in baggage wins over the assignment.
      const res = await predict(app, { entities: ['cust-00001'] }, { baggage: 'model_version=v7' });
      assert.equal(res.json().model.version, 'v7');
    });
    const versions = servers.calls.inference.map((c) => c.body.model_version);
    assert.deepEqual(versions.slice(0, 4), ['cust-00001', 'cust-00002', 'cust-00003', 'cust-00004'].map((e) => assignArm(experiment, e).version));
  });

  test('EXPERIMENT_SPLIT=off leaves the version to the inference service', async () => {
    await withGateway(configFor(servers.urls, { EXPERIMENT_SPLIT: 'off' }), async (app) => {
      assert.equal((await predict(app, { entities: ['cust-1'] })).statusCode, 200);
    });
    assert.equal(servers.calls.inference[0]?.body.model_version, undefined);
  });
});

describe('invalid requests are 400s naming the field, with no downstream call', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['neither field', {}, /'entities'.*'instances'/],
    ['both fields', { entities: ['cust-1'], instances: [[1]] }, /only one of 'entities' or 'instances'/],
    ['empty entities', { entities: [] }, /body\/entities must NOT have fewer than 1 items/],
    ['non-string entity', { entities: ['cust-1', 7] }, /body\/entities\/1 must be string/],
    ['instance not an array', { instances: [3] }, /body\/instances\/0 must be array/],
    ['non-number feature', { instances: [[1, '2']] }, /body\/instances\/0\/1 must be number/],
    ['unknown property', { entities: ['cust-1'], colour: 'red' }, /^body has unknown property 'colour'$/],
    ['ML context in the body', { entities: ['cust-1'], model_version: 'v2' }, /body has unknown property 'model_version' \(.*baggage/],
    // The feature store's own id rule: refused here, not one hop later.
    ['an entity id with a space', { entities: ['cust 1'] }, /body\/entities\/0 must match pattern/],
    ['an entity id with a slash', { entities: ['../etc/passwd'] }, /body\/entities\/0 must match pattern/],
    ['an entity id over 64 characters', { entities: ['c'.repeat(65)] }, /body\/entities\/0 must NOT have more than 64 characters/],
  ];
  for (const [name, payload, message] of cases) {
    test(name, async () => {
      await withGateway(configFor(servers.urls), async (app) => {
        const res = await predict(app, payload);
        assert.equal(res.statusCode, 400, res.body);
        const body = res.json();
        assert.equal(body.code, 'GW_INVALID_REQUEST');
        assert.match(body.message, message);
        assert.match(res.headers['x-trace-id'] as string, /^[0-9a-f]{32}$/);
      });
      assert.equal(servers.calls['feature-store'].length + servers.calls.inference.length, 0);
    });
  }

  test('batch over MAX_BATCH_SIZE → GW_BATCH_TOO_LARGE naming the field and the limit', async () => {
    await withGateway(configFor(servers.urls, { MAX_BATCH_SIZE: '4' }), async (app) => {
      const res = await predict(app, { entities: ['cust-1', 'cust-2', 'cust-3', 'cust-4', 'cust-5'] });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().code, 'GW_BATCH_TOO_LARGE');
      assert.match(res.json().message, /body\/entities has 5 items; the maximum batch size is 4/);
    });
  });

  test("bodies that are not a JSON object get the gateway's own codes and a message naming the problem", async () => {
    const cases: Array<[string, Record<string, string>, number, string, RegExp]> = [
      ['{bad', { 'content-type': 'application/json' }, 400, 'GW_INVALID_JSON', /^body is not valid JSON: .*position 1/],
      ['{"entities":["cust-1"]}', { 'content-type': 'text/plain' }, 415, 'GW_UNSUPPORTED_MEDIA_TYPE', /^content-type "text\/plain" is not supported; send the body as application\/json$/],
      ['{"entities":["cust-1"]}', {}, 415, 'GW_UNSUPPORTED_MEDIA_TYPE', /^content-type \(none\) is not supported; send the body as application\/json$/],
      ['["cust-1"]', { 'content-type': 'application/json' }, 400, 'GW_BODY_NOT_OBJECT', /^body must be a JSON object; got an array$/],
      ['"cust-1"', { 'content-type': 'application/json' }, 400, 'GW_BODY_NOT_OBJECT', /^body must be a JSON object; got a string$/],
    ];
    await withGateway(configFor(servers.urls), async (app) => {
      for (const [payload, headers, status, code, message] of cases) {
        const res = await app.inject({ method: 'POST', url: '/v1/predict', payload: Buffer.from(payload), headers });
        assert.equal(res.statusCode, status, `${payload} ${JSON.stringify(headers)}: ${res.body}`);
        assert.equal(res.json().code, code);
        assert.match(res.json().message, message);
      }
    });
    assert.equal(servers.calls['feature-store'].length + servers.calls.inference.length, 0);
  });

  test('malformed JSON and unknown routes answer in the error shape', async () => {
    await withGateway(configFor(servers.urls), async (app) => {
      const bad = await app.inject({ method: 'POST', url: '/v1/predict', payload: '{"entities": [', headers: { 'content-type': 'application/json' } });
      assert.equal(bad.statusCode, 400);
      assert.deepEqual(Object.keys(bad.json()).sort(), ['code', 'error', 'message', 'statusCode']);
      const missing = await app.inject({ method: 'GET', url: '/v1/nothing' });
      assert.equal(missing.statusCode, 404);
      assert.equal(missing.json().code, 'GW_NOT_FOUND');
    });
  });
});

describe('missing entities', () => {
  test('all unknown → 404 GW_ENTITIES_NOT_FOUND listing them, inference not called', async () => {
    await withGateway(configFor(servers.urls), async (app) => {
      const res = await predict(app, { entities: ['ghost-1', 'ghost-2'] });
      assert.equal(res.statusCode, 404);
      assert.equal(res.json().code, 'GW_ENTITIES_NOT_FOUND');
      assert.match(res.json().message, /ghost-1, ghost-2/);
    });
    assert.equal(servers.calls.inference.length, 0);
  });
});

describe('dependency failures name the dependency', () => {
  test('timeout → 504 within the request budget', async () => {
    servers.behaviour.inference = { delayMs: 2000 };
    await withGateway(configFor(servers.urls, { REQUEST_TIMEOUT_MS: '300' }), async (app) => {
      const t0 = Date.now();
      const res = await predict(app, { entities: ['cust-1'] });
      const elapsed = Date.now() - t0;
      assert.equal(res.statusCode, 504, res.body);
      assert.equal(res.json().code, 'GW_DEPENDENCY_TIMEOUT');
      assert.match(res.json().message, /^inference did not answer/);
      assert.ok(elapsed < 1000, `answered after ${elapsed} ms, budget 300 ms`);
    });
  });

  test('a slow dependency with its pool full: calls beyond it fail 503 CLIENT_POOL_SATURATED after the queue wait, not at the deadline', async () => {
    servers.behaviour.inference = { delayMs: 1500 };
    const config = configFor(servers.urls, { REQUEST_TIMEOUT_MS: '3000', DEPENDENCY_CONNECTIONS: '2', DEPENDENCY_QUEUE_TIMEOUT_MS: '100' });
    await withGateway(config, async (app) => {
      const started = Date.now();
      const answers = await Promise.all(
        Array.from({ length: 6 }, async () => {
          const res = await predict(app, { instances: [[1, 2]] });
          return { status: res.statusCode, message: res.json().message as string, ms: Date.now() - started };
        }),
      );
      const saturated = answers.filter((a) => a.status === 503);
      assert.equal(answers.filter((a) => a.status === 200).length, 2, 'two calls had the two connections');
      assert.equal(saturated.length, 4, JSON.stringify(answers));
      // Refused after the queue wait (100 ms): before the two calls that got through, which took the slow call's 1500 ms.
      const firstServed = Math.min(...answers.filter((a) => a.status === 200).map((a) => a.ms));
      for (const a of saturated) {
        assert.equal(a.message, 'inference is unavailable (CLIENT_POOL_SATURATED)');
        assert.ok(a.ms < firstServed, `refused after ${a.ms} ms, not before the served calls (${firstServed} ms): the queue wait, not the slow call or the deadline`);
      }
    });
    assert.equal(servers.calls.inference.length, 2, 'the refused calls never went out');
  });

  test('each call gets only what is left of the budget', async () => {
    servers.behaviour['feature-store'] = { delayMs: 250 };
    servers.behaviour.inference = { delayMs: 250 };
    await withGateway(configFor(servers.urls, { REQUEST_TIMEOUT_MS: '400' }), async (app) => {
      const res = await predict(app, { entities: ['cust-1'] });
      // 250 ms alone would fit in 400, so a 504 from inference means its call got less than that:
      // what was left after the feature lookup, at most 150 ms (less on a busy machine).
      assert.equal(res.statusCode, 504, res.body);
      const left = /^inference did not answer within the request deadline \((\d+) ms left of REQUEST_TIMEOUT_MS=400\)/.exec(res.json().message);
      assert.ok(left, res.json().message);
      assert.ok(Number(left[1]) <= 150, `inference was given ${left[1]} ms, more than the 400 ms budget less the 250 ms lookup`);
    });
  });

  test('downstream 503 → 503 GW_DEPENDENCY_UNAVAILABLE', async () => {
    servers.behaviour['feature-store'] = { status: 503, code: 'FST_REDIS_UNAVAILABLE' };
    await withGateway(configFor(servers.urls), async (app) => {
      const res = await predict(app, { entities: ['cust-1'] });
      assert.equal(res.statusCode, 503);
      assert.equal(res.json().code, 'GW_DEPENDENCY_UNAVAILABLE');
      assert.match(res.json().message, /^feature-store is unavailable/);
    });
  });

  test('downstream 500 → 502 GW_DEPENDENCY_FAILED', async () => {
    servers.behaviour.postprocess = { status: 500, code: 'PP_FLAKY_FAILURE' };
    await withGateway(configFor(servers.urls), async (app) => {
      const res = await predict(app, { instances: [[1]] });
      assert.equal(res.statusCode, 502);
      assert.equal(res.json().code, 'GW_DEPENDENCY_FAILED');
      assert.equal(res.json().message, 'postprocess failed (HTTP 500 PP_FLAKY_FAILURE)');
    });
  });

  test('downstream 400 (e.g. unknown model version) → 400 GW_DEPENDENCY_REJECTED', async () => {
    servers.behaviour.inference = { status: 400, code: 'INF_UNKNOWN_MODEL_VERSION' };
    await withGateway(configFor(servers.urls), async (app) => {
      const res = await predict(app, { instances: [[1]] });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().code, 'GW_DEPENDENCY_REJECTED');
      assert.match(res.json().message, /^inference rejected the request/);
    });
  });

  test('nothing listening → 503 naming the dependency', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    await withGateway(configFor({ ...servers.urls, postprocess: closed }), async (app) => {
      const res = await predict(app, { instances: [[1]] });
      assert.equal(res.statusCode, 503);
      assert.equal(res.json().code, 'GW_DEPENDENCY_UNAVAILABLE');
      assert.equal(res.json().message, 'postprocess is unavailable (ECONNREFUSED)');
      assert.doesNotMatch(res.body, /127\.0\.0\.1|http:|:\d{4,5}/, 'no address in a public answer');
      const ready = await app.inject({ method: 'GET', url: '/ready' });
      assert.equal(ready.statusCode, 503);
      assert.match(ready.json().message, /postprocess \(ECONNREFUSED\)/);
      assert.doesNotMatch(ready.body, /127\.0\.0\.1|http:|:\d{4,5}/, 'no address in a public answer');
      assert.doesNotMatch(ready.json().message, /inference|feature-store/);
    });
  });

  test('a wrong number of predictions → 502', async () => {
    servers.behaviour.inference = { body: { model: { name: 'm', version: 'v1' }, predictions: [] } };
    await withGateway(configFor(servers.urls), async (app) => {
      const res = await predict(app, { instances: [[1], [2]] });
      assert.equal(res.statusCode, 502);
      assert.match(res.json().message, /^inference failed \(returned 0 predictions for 2 inputs\)/);
    });
  });

  test('a malformed answer is a 500 GW_INTERNAL without internals', async () => {
    servers.behaviour.inference = { body: { nonsense: true } };
    await withGateway(configFor(servers.urls), async (app) => {
      const res = await predict(app, { instances: [[1]] });
      assert.equal(res.statusCode, 500);
      const body = res.json();
      assert.equal(body.code, 'GW_INTERNAL');
      assert.match(body.message, new RegExp(res.headers['x-trace-id'] as string));
      assert.doesNotMatch(res.body, /at .*\.js:\d+/);
    });
  });
});

test('GET /health and /ready', async () => {
  await withGateway(configFor(servers.urls), async (app) => {
    assert.deepEqual((await app.inject({ method: 'GET', url: '/health' })).json(), { status: 'ok' });
    const ready = await app.inject({ method: 'GET', url: '/ready' });
    assert.equal(ready.statusCode, 200);
  });
});

describe('baggage: the trust boundary', () => {
  test('a value outside its limits is a 400 GW_INVALID_BAGGAGE naming the member, with no downstream call', async () => {
    const cases: Array<[string, RegExp]> = [
      [`customer_segment=${'x'.repeat(33)}`, /^baggage member 'customer_segment' must be 1 to 32 characters of .*; got "x{33}"$/],
      ['model_version=v1%20or%201', /^baggage member 'model_version' must be 1 to 64 characters/],
      ['priority=urgent', /^baggage member 'priority' must be one of low, normal, high; got "urgent"$/],
      [`region=${'r'.repeat(100)}`, /^baggage member 'region' .*got "r{40}…" \(100 characters\)$/],
    ];
    await withGateway(configFor(servers.urls), async (app) => {
      for (const [baggage, message] of cases) {
        const res = await predict(app, { entities: ['cust-1'] }, { baggage });
        assert.equal(res.statusCode, 400, baggage);
        assert.equal(res.json().code, 'GW_INVALID_BAGGAGE', baggage);
        assert.match(res.json().message, message, baggage);
        assert.doesNotMatch(res.json().message, /body\//, 'it points at the header the caller sent, not a body field');
      }
    });
    assert.equal(servers.calls['feature-store'].length + servers.calls.inference.length + servers.calls.postprocess.length, 0);
  });

  test('segments named after built-in properties travel as plain strings', async () => {
    await withGateway(configFor(servers.urls), async (app) => {
      for (const segment of ['constructor', '__proto__', 'toString']) {
        const res = await predict(app, { entities: ['cust-1'] }, { baggage: `customer_segment=${segment}` });
        assert.equal(res.statusCode, 200, `${segment}: ${res.body}`);
      }
    });
    assert.deepEqual(
      servers.calls.postprocess.map((c) => c.body.segment),
      ['constructor', '__proto__', 'toString'],
    );
  });

  test('with tracing off the legacy X-ML-* headers are honoured as with tracing on', async () => {
    await withGateway(configFor(servers.urls), async (app) => {
      const res = await predict(app, { entities: ['cust-1'] }, { 'x-ml-model-version': 'v2', 'x-business-customer-segment': 'premium' });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().model.version, 'v2');
    });
    assert.equal(servers.calls.inference[0]?.body.model_version, 'v2');
    assert.equal(servers.calls.postprocess[0]?.body.segment, 'premium');
  });
});
