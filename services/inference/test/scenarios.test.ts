import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ATTR_ML_MODEL_CACHE_HIT, ATTR_ML_MODEL_VERSION, ATTR_ML_DURATION_MS, ATTR_BUSINESS_CUSTOMER_SEGMENT } from '@mltrace/tracing';
import { startTracedProcess, type Cleanup, type ExportedSpan, type TracedProcess } from '@mltrace/testkit';
import { InferenceClient } from '../src/client';
import { regressionDelayMs, REGRESSION_DELAY_MS } from '../src/scenario';
import { rows } from './helpers';

// dist/test → package root
const PACKAGE_ROOT = join(__dirname, '..', '..');

/** The service as `npm start` runs it: its own process, with the tracing preload and the file exporter. */
function startService(t: Cleanup, scenario: string | undefined): Promise<TracedProcess> {
  return startTracedProcess(t, {
    cwd: PACKAGE_ROOT,
    script: 'dist/src/server.js',
    serviceName: 'inference',
    env: { MLTRACE_SCENARIO: scenario ?? '' },
    readyPath: '/ready',
    readyTimeoutMs: 20_000,
  });
}

/** Sends one request with the given baggage header; returns the model version that answered. */
async function inferWithBaggage(url: string, baggage: string, body: object = { instances: rows(4) }): Promise<{ version: string }> {
  const res = await fetch(`${url}/v1/infer`, { method: 'POST', headers: { 'content-type': 'application/json', baggage }, body: JSON.stringify(body) });
  assert.equal(res.status, 200);
  const json = (await res.json()) as { model: { version: string } };
  return { version: json.model.version };
}

const byName = (spans: ExportedSpan[], name: string) => spans.filter((s) => s.name === name);

test('regressionDelayMs: only v2, only the enterprise segment, only with the scenario on', () => {
  assert.equal(regressionDelayMs('model-regression', 'v2', 'enterprise'), REGRESSION_DELAY_MS);
  assert.equal(regressionDelayMs('model-regression', 'v1', 'enterprise'), 0);
  assert.equal(regressionDelayMs('model-regression', 'v2', 'consumer'), 0);
  assert.equal(regressionDelayMs('cold-model', 'v2', 'enterprise'), 0);
  assert.equal(regressionDelayMs(null, 'v2', 'enterprise'), 0);
});

test('model-regression (real process, real spans): baggage picks the version; v2 is slow only for enterprise; models cached', async (t) => {
  const svc = await startService(t, 'model-regression');
  const client = new InferenceClient({ baseUrl: svc.url });
  t.after(() => client.close());
  for (let i = 0; i < 3; i++) {
    assert.equal((await inferWithBaggage(svc.url, 'model_version=v2,customer_segment=enterprise')).version, 'v2');
    assert.equal((await inferWithBaggage(svc.url, 'model_version=v2,customer_segment=consumer')).version, 'v2');
    assert.equal((await inferWithBaggage(svc.url, 'customer_segment=enterprise')).version, 'v1');
  }
  // The body's model_version beats baggage, on the response and on the span.
  assert.equal((await inferWithBaggage(svc.url, 'model_version=v2,customer_segment=smb', { instances: rows(2), model_version: 'v1' })).version, 'v1');
  await svc.stop(); // SIGTERM: app.close() then shutdownTracing() flushes every span

  const spans = svc.spans();
  const predictions = byName(spans, 'model_prediction');
  assert.equal(predictions.length, 10);
  const slice = (version: string, segment: string) =>
    predictions.filter((s) => s.attributes[ATTR_ML_MODEL_VERSION] === version && s.attributes[ATTR_BUSINESS_CUSTOMER_SEGMENT] === segment);
  const durations = (xs: ExportedSpan[]) => xs.map((s) => s.attributes[ATTR_ML_DURATION_MS] as number);
  const slow = durations(slice('v2', 'enterprise'));
  const v2Other = durations(slice('v2', 'consumer'));
  const v1Enterprise = durations(slice('v1', 'enterprise'));
  t.diagnostic(`prediction span ms: v2/enterprise ${slow.map((d) => d.toFixed(1))}, v2/consumer ${v2Other.map((d) => d.toFixed(1))}, v1/enterprise ${v1Enterprise.map((d) => d.toFixed(1))}`);
  assert.equal(slow.length, 3);
  assert.equal(v2Other.length, 3);
  assert.equal(v1Enterprise.length, 3);
  for (const d of slow) assert.ok(d >= REGRESSION_DELAY_MS - 1, `v2/enterprise prediction took only ${d} ms`);
  for (const d of [...v2Other, ...v1Enterprise]) assert.ok(d < REGRESSION_DELAY_MS - 10, `unaffected prediction took ${d} ms`);
  assert.equal(slice('v1', 'smb').length, 1, 'body model_version must win over baggage on the span');
  // Without cold-model the only model loads are the two at start-up.
  assert.equal(byName(spans, 'model_load').length, 2);
  assert.ok(predictions.every((s) => s.attributes[ATTR_ML_MODEL_CACHE_HIT] === true));
});

test('cold-model (real process, real spans): every request reloads the model inside its own trace', async (t) => {
  const svc = await startService(t, 'cold-model');
  for (let i = 0; i < 3; i++) await inferWithBaggage(svc.url, 'model_version=v2');
  await svc.stop();

  const spans = svc.spans();
  const loads = byName(spans, 'model_load');
  const startup = loads.filter((s) => !s.parentSpanId);
  const perRequest = loads.filter((s) => s.parentSpanId);
  assert.equal(startup.length, 2);
  assert.equal(perRequest.length, 3);
  const predictions = byName(spans, 'model_prediction');
  assert.equal(predictions.length, 3);
  for (const load of perRequest) {
    assert.equal(load.attributes[ATTR_ML_MODEL_CACHE_HIT], false);
    assert.equal(load.attributes[ATTR_ML_MODEL_VERSION], 'v2');
    assert.ok(predictions.some((p) => p.traceId === load.traceId && p.parentSpanId === load.parentSpanId), 'reload and prediction share the request span as parent');
  }
  assert.ok(predictions.every((s) => s.attributes[ATTR_ML_MODEL_CACHE_HIT] === false));
});
