// The trust boundary's bookkeeping: what is accepted from a caller's baggage is worked out once per
// distinct header value (the propagator's parse cache hands out one Baggage per value) and shared.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultTextMapGetter, propagation, ROOT_CONTEXT, type Baggage } from '@opentelemetry/api';
import { createPropagator } from '@mltrace/tracing';
import { acceptBaggage } from '../src/baggage';

const propagator = createPropagator();
const parse = (header: string): Baggage => propagation.getBaggage(propagator.extract(ROOT_CONTEXT, { baggage: header }, defaultTextMapGetter))!;

test('a repeated baggage header is accepted once: the same frozen result, the same downstream Baggage', () => {
  const header = 'model_version=v2,customer_segment=enterprise,feature_version=f9,priority=high,synthetic_type=test';
  const first = acceptBaggage(parse(header));
  const again = acceptBaggage(parse(header));
  assert.equal(again, first, 'one result per distinct header value');
  assert.equal(again.baggage, first.baggage, 'downstream gets the same Baggage, so its header is serialized once');
  assert.deepEqual(first.ml, { model_version: 'v2', customer_segment: 'enterprise', priority: 'high' });
  assert.deepEqual(Object.fromEntries(first.baggage.getAllEntries().map(([k, e]) => [k, e.value])), { model_version: 'v2', customer_segment: 'enterprise', priority: 'high', synthetic_type: 'test' });
  assert.ok(Object.isFrozen(first) && Object.isFrozen(first.ml), 'shared between requests, so frozen');
  const other = acceptBaggage(parse('model_version=v1'));
  assert.notEqual(other, first);
  assert.deepEqual(other.ml, { model_version: 'v1' });
  assert.deepEqual(acceptBaggage(undefined).ml, {});
});

test('a refused value is refused every time it comes, not remembered as accepted', () => {
  const bad = parse('priority=urgent,model_version=v2');
  for (let i = 0; i < 2; i++) assert.throws(() => acceptBaggage(bad), { code: 'GW_INVALID_BAGGAGE', message: /priority/ });
});
