import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, SpanKind, trace, TraceFlags, type Context } from '@opentelemetry/api';
import { W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { ATTR_BUSINESS_PRIORITY, ATTR_MLTRACE_SAMPLING_PROBABILITY, ATTR_MLTRACE_SAMPLING_RULE } from '../src/attributes';
import { AdaptiveController, createSampler, TokenBucket, traceIdRatioSampled, type SamplingStrategies } from '../src/sampling';
import { manualClock, seededTraceIds, tracerWith, warnings, writeStrategies } from './sampling-helpers';

const ids = seededTraceIds(7, 20_000);

function samplerFor(service: string, doc: SamplingStrategies, clock = manualClock()) {
  const w = warnings();
  const sampler = createSampler({ serviceName: service, strategiesFile: writeStrategies(doc), clock: clock.now, warn: w.warn });
  assert.deepEqual(w.list, [], 'strategies file is valid');
  return { sampler, clock, ...tracerWith(sampler) };
}

test('trace-id ratio: rate close to p, same answer everywhere, lower p keeps a subset', () => {
  for (const p of [0.01, 0.1, 0.5]) {
    const kept = ids.filter((id) => traceIdRatioSampled(id, p)).length / ids.length;
    assert.ok(Math.abs(kept - p) < 4 * Math.sqrt((p * (1 - p)) / ids.length) + 1e-9, `p=${p} kept ${kept}`);
  }
  assert.ok(ids.every((id) => traceIdRatioSampled(id, 1)));
  assert.ok(!ids.some((id) => traceIdRatioSampled(id, 0)));
  assert.ok(ids.every((id) => !traceIdRatioSampled(id, 0.1) || traceIdRatioSampled(id, 0.3)), 'subset property');
});

test('decisions follow the strategies file; an operation strategy overrides the service default', () => {
  const { tracer, exporter } = samplerFor('gateway', {
    default_strategy: { type: 'probabilistic', param: 1 },
    service_strategies: [
      {
        service: 'gateway',
        type: 'probabilistic',
        param: 0,
        operation_strategies: [
          { operation: 'POST /v1/predict', type: 'probabilistic', param: 1 },
          { operation: 'batch-score', type: 'probabilistic', param: 0.25 },
        ],
      },
    ],
  });
  for (let i = 0; i < 400; i++) {
    tracer.startSpan('POST /v1/predict', { kind: SpanKind.SERVER }).end();
    tracer.startSpan('GET /v1/models', { kind: SpanKind.SERVER }).end();
    tracer.startSpan('batch-score').end();
  }
  // The HTTP instrumentation names a server span just "POST" until the route is known: matched via its attributes.
  tracer.startSpan('POST', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'POST', 'url.path': '/v1/predict' } }).end();
  const spans = exporter.getFinishedSpans();
  const byName = (n: string) => spans.filter((s) => s.name === n);
  assert.equal(byName('POST /v1/predict').length, 400);
  assert.equal(byName('GET /v1/models').length, 0, 'service default p=0');
  const batch = byName('batch-score').length;
  assert.ok(batch > 60 && batch < 140, `batch-score at p=0.25 kept ${batch}/400`);
  assert.equal(byName('POST').length, 1);
  assert.equal(byName('POST')[0]?.attributes[ATTR_MLTRACE_SAMPLING_RULE], 'operation:POST /v1/predict:probabilistic');
  assert.equal(byName('batch-score')[0]?.attributes[ATTR_MLTRACE_SAMPLING_RULE], 'operation:batch-score:probabilistic');
  assert.equal(byName('batch-score')[0]?.attributes[ATTR_MLTRACE_SAMPLING_PROBABILITY], 0.25);
});

test('rate limiting: 10 traces/s over 5 simulated seconds keeps 50±1', () => {
  const { tracer, exporter, clock } = samplerFor('gateway', { service_strategies: [{ service: 'gateway', type: 'ratelimiting', param: 10 }] });
  for (let i = 0; i < 500; i++) {
    tracer.startSpan('POST /v1/predict').end(); // 100 arrivals per second
    clock.advance(10);
  }
  const spans = exporter.getFinishedSpans();
  assert.ok(Math.abs(spans.length - 50) <= 1, `kept ${spans.length}`);
  const last = spans.at(-1);
  assert.equal(last?.attributes[ATTR_MLTRACE_SAMPLING_RULE], 'service-default:ratelimiting');
  const p = last?.attributes[ATTR_MLTRACE_SAMPLING_PROBABILITY] as number;
  assert.ok(Math.abs(p - 0.1) < 0.011, `effective ratio ${p} ≈ 10/100`);
});

test('token bucket saves at most one second of credit (no burst after a quiet period)', () => {
  const clock = manualClock();
  const bucket = new TokenBucket(5, clock.now);
  clock.advance(60_000);
  let burst = 0;
  while (bucket.trySpend()) burst++;
  assert.equal(burst, 5);
  assert.equal(new TokenBucket(0, clock.now).trySpend(), false, '0 traces/s keeps nothing');
});

test('per-operation rate limiting (mltrace extension) limits one operation, not the others', () => {
  const { tracer, exporter, clock } = samplerFor('inference', {
    service_strategies: [
      { service: 'inference', type: 'probabilistic', param: 1, operation_strategies: [{ operation: 'model_load', type: 'ratelimiting', param: 2 }] },
    ],
  });
  for (let i = 0; i < 500; i++) {
    tracer.startSpan('model_load').end();
    tracer.startSpan('POST /v1/infer').end();
    clock.advance(10);
  }
  const spans = exporter.getFinishedSpans();
  const loads = spans.filter((s) => s.name === 'model_load');
  assert.ok(Math.abs(loads.length - 10) <= 1, `model_load kept ${loads.length} in 5 s at 2/s`);
  assert.equal(loads[0]?.attributes[ATTR_MLTRACE_SAMPLING_RULE], 'operation:model_load:ratelimiting');
  assert.equal(spans.filter((s) => s.name === 'POST /v1/infer').length, 500);
});

test('parent-based: children follow the parent, local or remote; a trace is never half-sampled', () => {
  const tc = new W3CTraceContextPropagator();
  // "gateway" samples 30 % of roots; "inference" would sample none of its own roots.
  const gw = samplerFor('gateway', { service_strategies: [{ service: 'gateway', type: 'probabilistic', param: 0.3 }] });
  const inf = samplerFor('inference', { service_strategies: [{ service: 'inference', type: 'probabilistic', param: 0 }] });
  const inf2 = samplerFor('inference', { service_strategies: [{ service: 'inference', type: 'probabilistic', param: 1 }] });
  let sampledRoots = 0;
  for (let i = 0; i < 300; i++) {
    const root = gw.tracer.startSpan('POST /v1/predict', { kind: SpanKind.SERVER });
    if (root.isRecording()) sampledRoots++;
    const local = trace.setSpan(ROOT_CONTEXT, root);
    gw.tracer.startSpan('feature_lookup', {}, local).end();
    const carrier: Record<string, string> = {};
    tc.inject(local, carrier, { set: (c, k, v) => void (c[k] = v) });
    const remote = tc.extract(ROOT_CONTEXT, carrier, { get: (c, k) => c[k], keys: (c) => Object.keys(c) });
    inf.tracer.startSpan('POST /v1/infer', { kind: SpanKind.SERVER }, remote).end();
    inf2.tracer.startSpan('POST /v1/infer', { kind: SpanKind.SERVER }, remote).end();
    root.end();
  }
  assert.ok(sampledRoots > 50 && sampledRoots < 130, `roots sampled: ${sampledRoots}`);
  const gwSpans = gw.exporter.getFinishedSpans();
  const traces = new Set(gwSpans.filter((s) => s.name === 'POST /v1/predict').map((s) => s.spanContext().traceId));
  assert.equal(gwSpans.filter((s) => s.name === 'feature_lookup').length, sampledRoots, 'local children follow');
  for (const exp of [inf.exporter, inf2.exporter]) {
    const child = exp.getFinishedSpans();
    assert.equal(child.length, sampledRoots, 'remote children follow whatever their own strategy says');
    assert.ok(child.every((s) => traces.has(s.spanContext().traceId)));
    assert.ok(child.every((s) => s.attributes[ATTR_MLTRACE_SAMPLING_RULE] === undefined), 'only roots carry the rule');
  }
  assert.ok(gwSpans.filter((s) => s.name === 'POST /v1/predict').every((s) => s.attributes[ATTR_MLTRACE_SAMPLING_RULE] === 'service-default:probabilistic'));
  // An explicit "not sampled" remote parent wins over an always-sample strategy.
  const unsampled = trace.setSpanContext(ROOT_CONTEXT, { traceId: ids[0] ?? '', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.NONE, isRemote: true });
  assert.equal(inf2.tracer.startSpan('POST /v1/infer', {}, unsampled).isRecording(), false);
});

test('ML rules: baggage in the parent context or span attributes decide before any strategy', () => {
  const { tracer, exporter } = samplerFor('gateway', {
    service_strategies: [{ service: 'gateway', type: 'probabilistic', param: 0 }],
    mltrace: {
      ml_rules: [
        { match: { priority: 'high' } },
        { match: { experiment_id: ['exp-42', 'exp-43'] } },
        { service: 'inference', match: { priority: 'normal' } },
        { match: { customer_segment: 'enterprise', region: 'eu-west' }, probability: 1 },
      ],
    },
  });
  const withBaggage = (members: Record<string, string>): Context => {
    // As the gateway sees it: a request with a `baggage` header but no traceparent.
    const carrier = { baggage: Object.entries(members).map(([k, v]) => `${k}=${v}`).join(',') };
    return new W3CBaggagePropagator().extract(ROOT_CONTEXT, carrier, { get: (c, k) => (c as Record<string, string>)[k], keys: Object.keys });
  };
  tracer.startSpan('POST /v1/predict', {}, withBaggage({ priority: 'high' })).end();
  tracer.startSpan('POST /v1/predict', {}, withBaggage({ experiment_id: 'exp-43' })).end();
  tracer.startSpan('POST /v1/predict', {}, withBaggage({ customer_segment: 'enterprise', region: 'eu-west' })).end();
  tracer.startSpan('POST /v1/predict', { attributes: { [ATTR_BUSINESS_PRIORITY]: 'high' } }).end();
  // Not matching: other values, a rule for another service, only half of a two-key rule.
  tracer.startSpan('POST /v1/predict', {}, withBaggage({ priority: 'normal' })).end();
  tracer.startSpan('POST /v1/predict', {}, withBaggage({ experiment_id: 'exp-1' })).end();
  tracer.startSpan('POST /v1/predict', {}, withBaggage({ customer_segment: 'enterprise', region: 'us-east' })).end();
  tracer.startSpan('POST /v1/predict').end();
  const rules = exporter.getFinishedSpans().map((s) => s.attributes[ATTR_MLTRACE_SAMPLING_RULE]);
  assert.deepEqual(rules, [
    'ml-rule:priority=high',
    'ml-rule:experiment_id=exp-43',
    'ml-rule:customer_segment=enterprise,region=eu-west',
    'ml-rule:priority=high',
  ]);
  assert.ok(exporter.getFinishedSpans().every((s) => s.attributes[ATTR_MLTRACE_SAMPLING_PROBABILITY] === 1));
});

test('an ML rule with probability 0 drops matching traffic (e.g. synthetic load)', () => {
  const { tracer, exporter } = samplerFor('gateway', {
    default_strategy: { type: 'probabilistic', param: 1 },
    mltrace: { ml_rules: [{ match: { data_batch_id: 'smoke-test' }, probability: 0 }] },
  });
  tracer.startSpan('POST /v1/predict', { attributes: { 'ml.data_batch.id': 'smoke-test' } }).end();
  tracer.startSpan('POST /v1/predict', { attributes: { 'ml.data_batch.id': 'batch-7' } }).end();
  assert.deepEqual(exporter.getFinishedSpans().map((s) => s.attributes['ml.data_batch.id']), ['batch-7']);
});

test('adaptive mode converges on the target traces per second and follows a load change', () => {
  const { tracer, exporter, clock } = samplerFor('gateway', {
    default_strategy: { type: 'probabilistic', param: 1 },
    mltrace: { adaptive: [{ service: 'gateway', operation: 'POST /v1/predict', target_traces_per_second: 5, min_probability: 0.01, max_probability: 1 }] },
  });
  const drive = (perSecond: number, seconds: number): number => {
    const before = exporter.getFinishedSpans().length;
    for (let i = 0; i < perSecond * seconds; i++) {
      tracer.startSpan('POST /v1/predict', { kind: SpanKind.SERVER }).end();
      clock.advance(1000 / perSecond);
    }
    return exporter.getFinishedSpans().length - before;
  };
  drive(100, 5); // warm-up: starts at max probability, adjusts each window
  const lastP = () => exporter.getFinishedSpans().at(-1)?.attributes[ATTR_MLTRACE_SAMPLING_PROBABILITY] as number;
  assert.ok(Math.abs(lastP() - 0.05) < 0.005, `p=${lastP()} after 5 s at 100/s`);
  const steady = drive(100, 20);
  assert.ok(Math.abs(steady / 20 - 5) < 1.5, `${steady / 20} traces/s at 100/s, target 5`);
  assert.equal(exporter.getFinishedSpans().at(-1)?.attributes[ATTR_MLTRACE_SAMPLING_RULE], 'adaptive:POST /v1/predict');
  drive(20, 8); // traffic drops: p rises to 5/20 as the smoothed rate catches up
  assert.ok(Math.abs(lastP() - 0.25) < 0.03, `p=${lastP()} after the drop to 20/s`);
  const after = drive(20, 20);
  assert.ok(Math.abs(after / 20 - 5) < 1.5, `${after / 20} traces/s at 20/s, target 5`);
});

test('adaptive probability stays within its bounds', () => {
  const clock = manualClock();
  const low = new AdaptiveController({ operation: 'x', target_traces_per_second: 1, min_probability: 0.2, max_probability: 0.9 }, clock.now);
  const high = new AdaptiveController({ operation: 'x', target_traces_per_second: 1000, min_probability: 0.2, max_probability: 0.9 }, clock.now);
  for (let i = 0; i < 5000; i++) {
    low.arrive();
    high.arrive();
    clock.advance(1);
  }
  assert.equal(low.probability, 0.2, '1/s target at 1000/s would be 0.001: clamped to min');
  assert.equal(high.probability, 0.9, 'target above traffic: clamped to max');
});

test('adaptive "*" keeps one controller per operation', () => {
  const { tracer, exporter, clock } = samplerFor('feature-store', {
    default_strategy: { type: 'probabilistic', param: 1 },
    mltrace: { adaptive: [{ operation: '*', target_traces_per_second: 2, min_probability: 0.001 }] },
  });
  for (let i = 0; i < 1000; i++) {
    tracer.startSpan('POST /v1/features').end(); // 100/s
    if (i % 10 === 0) tracer.startSpan('POST /v1/profile').end(); // 10/s
    clock.advance(10);
  }
  const pOf = (name: string) => exporter.getFinishedSpans().filter((s) => s.name === name).at(-1)?.attributes[ATTR_MLTRACE_SAMPLING_PROBABILITY] as number;
  assert.ok(Math.abs(pOf('POST /v1/features') - 0.02) < 0.005, `features p=${pOf('POST /v1/features')}`);
  assert.ok(Math.abs(pOf('POST /v1/profile') - 0.2) < 0.05, `profile p=${pOf('POST /v1/profile')}`);
});
