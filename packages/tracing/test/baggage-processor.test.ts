import { test } from 'node:test';
import assert from 'node:assert/strict';
import { context, defaultTextMapGetter, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { setupInMemoryTracing } from './support';
import { ATTR_USER_AGENT_SYNTHETIC_TYPE } from '@opentelemetry/semantic-conventions/incubating';
import { BAGGAGE_TO_ATTRIBUTE, ML_CONTEXT_KEYS, SYNTHETIC_BAGGAGE_KEY, getMLContext, getTracer } from '../src/index';

const { exporter } = setupInMemoryTracing();

test('every ML/business baggage member becomes its span attribute on every span started under it', () => {
  const values = Object.fromEntries(ML_CONTEXT_KEYS.map((k, i) => [k, `${k}-value-${i}`]));
  const header = Object.entries(values).map(([k, v]) => `${k}=${v}`).join(',') + ',tenant=acme,model_version_extra=x';
  const parent = propagation.extract(ROOT_CONTEXT, { baggage: header }, defaultTextMapGetter);
  context.with(parent, () => {
    assert.deepEqual(getMLContext(), values);
    getTracer().startActiveSpan('server', (server) => {
      getTracer().startSpan('child').end();
      server.end();
    });
  });
  const spans = exporter.getFinishedSpans();
  assert.equal(spans.length, 2);
  for (const span of spans) {
    for (const [key, attribute] of Object.entries(BAGGAGE_TO_ATTRIBUTE)) {
      assert.equal(span.attributes[attribute], values[key], `${span.name} ${attribute}`);
    }
    // Arbitrary baggage stays baggage.
    assert.equal(Object.keys(span.attributes).length, ML_CONTEXT_KEYS.length);
  }
});

test('spans without baggage get no ML attributes; attributes set by code win over baggage', () => {
  exporter.reset();
  getTracer().startSpan('plain').end();
  const ctx = propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage({ model_version: { value: 'from-baggage' } }));
  const span = getTracer().startSpan('explicit', {}, ctx);
  span.setAttribute(BAGGAGE_TO_ATTRIBUTE.model_version, 'from-code');
  span.end();
  const [plain, explicit] = exporter.getFinishedSpans();
  assert.deepEqual(plain?.attributes, {});
  assert.equal(explicit?.attributes[BAGGAGE_TO_ATTRIBUTE.model_version], 'from-code');
  assert.equal(trace.getSpan(ctx), undefined);
});

test('attributes given when the span starts are not overwritten by baggage', () => {
  exporter.reset();
  const ctx = propagation.setBaggage(
    ROOT_CONTEXT,
    propagation.createBaggage({ model_version: { value: 'v1' }, region: { value: 'eu-west' } }),
  );
  getTracer()
    .startSpan('predict', { attributes: { [BAGGAGE_TO_ATTRIBUTE.model_version]: 'v2' } }, ctx)
    .end();
  const [span] = exporter.getFinishedSpans();
  assert.equal(span?.attributes[BAGGAGE_TO_ATTRIBUTE.model_version], 'v2');
  assert.equal(span?.attributes[BAGGAGE_TO_ATTRIBUTE.region], 'eu-west');
});

test('synthetic_type=test in baggage marks every span user_agent.synthetic.type=test; other values are not copied', () => {
  exporter.reset();
  const synthetic = propagation.extract(ROOT_CONTEXT, { baggage: `${SYNTHETIC_BAGGAGE_KEY}=test,region=eu-west` }, defaultTextMapGetter);
  context.with(synthetic, () => {
    getTracer().startActiveSpan('server', (server) => {
      getTracer().startSpan('child').end();
      server.end();
    });
  });
  const odd = propagation.extract(ROOT_CONTEXT, { baggage: `${SYNTHETIC_BAGGAGE_KEY}=anything` }, defaultTextMapGetter);
  getTracer().startSpan('odd', {}, odd).end();
  const [child, server, oddSpan] = exporter.getFinishedSpans();
  for (const span of [child, server]) {
    assert.equal(span?.attributes[ATTR_USER_AGENT_SYNTHETIC_TYPE], 'test', span?.name);
    assert.equal(span?.attributes[BAGGAGE_TO_ATTRIBUTE.region], 'eu-west', span?.name);
  }
  assert.deepEqual(oddSpan?.attributes, {});
});

test('the attributes read from one baggage are reused, and a new baggage is read afresh', () => {
  exporter.reset();
  const first = propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage({ model_version: { value: 'v1' } }));
  // Baggage is immutable: setEntry makes a new instance, which must not inherit the first one's attributes.
  const second = propagation.setBaggage(first, propagation.getBaggage(first)!.setEntry('model_version', { value: 'v2' }).setEntry('priority', { value: 'high' }));
  for (const ctx of [first, first, second, first]) getTracer().startSpan('s', {}, ctx).end();
  assert.deepEqual(
    exporter.getFinishedSpans().map((s) => s.attributes),
    [{ 'ml.model.version': 'v1' }, { 'ml.model.version': 'v1' }, { 'ml.model.version': 'v2', 'business.priority': 'high' }, { 'ml.model.version': 'v1' }],
  );
});
