import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { ATTR_MLTRACE_SAMPLING_PROBABILITY, ATTR_MLTRACE_SAMPLING_RULE } from '../src/attributes';
import {
  createSampler,
  JAEGER_DEFAULT_PROBABILITY,
  loadStrategiesFile,
  parseStrategies,
  policyFromRemote,
  policyFromStrategies,
  StrategiesFileError,
  type SamplingStrategies,
} from '../src/sampling';
import { manualClock, tracerWith, warnings, writeStrategies } from './sampling-helpers';

const REPO_ROOT = join(__dirname, '..', '..', '..', '..');

// The example from Jaeger's sampling documentation ("Collector Sampling Configuration").
const JAEGER_DOC_EXAMPLE = {
  service_strategies: [
    { service: 'foo', type: 'probabilistic', param: 0.8 },
    { service: 'bar', type: 'ratelimiting', param: 5 },
  ],
  default_strategy: { type: 'probabilistic', param: 0.5 },
};

test("Jaeger's documented example resolves per service, unknown services get default_strategy", () => {
  const { strategies, warnings: w } = parseStrategies(JAEGER_DOC_EXAMPLE, 'example');
  assert.deepEqual(w, []);
  assert.deepEqual(policyFromStrategies(strategies, 'foo', 'x').serviceDefault, { kind: 'probabilistic', probability: 0.8 });
  assert.deepEqual(policyFromStrategies(strategies, 'bar', 'x').serviceDefault, { kind: 'ratelimiting', tracesPerSecond: 5 });
  assert.deepEqual(policyFromStrategies(strategies, 'baz', 'x').serviceDefault, { kind: 'probabilistic', probability: 0.5 });
  // No default_strategy at all: Jaeger's own default probability.
  const bare = parseStrategies({ service_strategies: [] }, 'bare').strategies;
  assert.deepEqual(policyFromStrategies(bare, 'any', 'x').serviceDefault, { kind: 'probabilistic', probability: JAEGER_DEFAULT_PROBABILITY });
});

test('operation strategies of default_strategy apply to every service, under the service’s own (Jaeger merge)', () => {
  const doc: SamplingStrategies = {
    default_strategy: {
      type: 'probabilistic',
      param: 0.5,
      operation_strategies: [
        { operation: 'op0', type: 'probabilistic', param: 0.2 },
        { operation: 'op6', type: 'probabilistic', param: 0 },
      ],
    },
    service_strategies: [
      { service: 'foo', type: 'probabilistic', param: 0.8, operation_strategies: [{ operation: 'op6', type: 'probabilistic', param: 0.5 }] },
      { service: 'bar', type: 'ratelimiting', param: 5 },
    ],
  };
  const { strategies } = parseStrategies(doc, 'merge');
  const foo = policyFromStrategies(strategies, 'foo', 'x');
  assert.deepEqual(foo.operations.get('op6'), { kind: 'probabilistic', probability: 0.5 }, 'service op overrides default op');
  assert.deepEqual(foo.operations.get('op0'), { kind: 'probabilistic', probability: 0.2 }, 'default op inherited');
  const bar = policyFromStrategies(strategies, 'bar', 'x');
  assert.deepEqual(bar.operations.get('op6'), { kind: 'probabilistic', probability: 0 });
  assert.deepEqual(bar.serviceDefault, { kind: 'ratelimiting', tracesPerSecond: 5 });
});

test('invalid strategies name the file and the bad field', async (t) => {
  const cases: Array<{ name: string; content: unknown; field: RegExp }> = [
    { name: 'bad type', content: { default_strategy: { type: 'probablistic', param: 0.5 } }, field: /default_strategy\.type: must be "probabilistic" or "ratelimiting" \(got "probablistic"\)/ },
    { name: 'probability > 1', content: { service_strategies: [{ service: 'a', type: 'probabilistic', param: 1.5 }] }, field: /service_strategies\[0\]\.param: must be a number between 0 and 1 \(got 1\.5\)/ },
    { name: 'negative rate', content: { service_strategies: [{ service: 'a', type: 'ratelimiting', param: -1 }] }, field: /service_strategies\[0\]\.param: must be a number >= 0/ },
    { name: 'missing service', content: { service_strategies: [{ type: 'ratelimiting', param: 1 }] }, field: /service_strategies\[0\]\.service: must be a non-empty string/ },
    { name: 'param as string', content: { default_strategy: { type: 'probabilistic', param: '0.5' } }, field: /default_strategy\.param/ },
    { name: 'operation_strategies not an array', content: { service_strategies: [{ service: 'a', type: 'probabilistic', param: 1, operation_strategies: {} }] }, field: /service_strategies\[0\]\.operation_strategies: must be an array/ },
    { name: 'operation without name', content: { default_strategy: { type: 'probabilistic', param: 1, operation_strategies: [{ type: 'probabilistic', param: 1 }] } }, field: /default_strategy\.operation_strategies\[0\]\.operation/ },
    { name: 'root is an array', content: [], field: /\(root\): must be a JSON object/ },
    { name: 'ml rule on unknown key', content: { mltrace: { ml_rules: [{ match: { prio: 'high' } }] } }, field: /mltrace\.ml_rules\[0\]\.match\.prio: unknown ML context key/ },
    { name: 'adaptive min > max', content: { mltrace: { adaptive: [{ operation: '*', target_traces_per_second: 5, min_probability: 0.5, max_probability: 0.1 }] } }, field: /mltrace\.adaptive\[0\]\.min_probability: must not exceed max_probability/ },
    { name: 'adaptive without target', content: { mltrace: { adaptive: [{ operation: 'x' }] } }, field: /mltrace\.adaptive\[0\]\.target_traces_per_second: must be a number > 0/ },
    { name: 'not JSON', content: '{\n  "default_strategy": {\n    "type": "probabilistic",,\n  }\n}', field: /is not valid JSON: .*line 3/ },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const file = writeStrategies(c.content);
      assert.throws(
        () => loadStrategiesFile(file),
        (err: unknown) => err instanceof StrategiesFileError && err.message.includes(file) && c.field.test(err.message),
      );
    });
  }
  await t.test('missing file', () => {
    assert.throws(() => loadStrategiesFile('/nonexistent/strategies.json'), /file \/nonexistent\/strategies\.json is invalid: cannot be read: ENOENT/);
  });
});

test('unknown keys and Jaeger-lossy values are tolerated with a warning', () => {
  const { strategies, warnings: w } = parseStrategies(
    { default_strategy: { type: 'probabilistic', param: 0.3, operation_strategy: [] }, extra: 1, service_strategies: [{ service: 'a', type: 'ratelimiting', param: 0.5 }] },
    'typo',
  );
  assert.equal(strategies.default_strategy?.param, 0.3);
  assert.equal(strategies.service_strategies?.[0]?.param, 0.5, 'fractional rates are honoured');
  assert.equal(w.length, 3);
  assert.match(w.join('\n'), /service_strategies\[0\]\.param: Jaeger truncates a ratelimiting param to an integer/);
  assert.match(w.join('\n'), /default_strategy\.operation_strategy: unknown field/);
  assert.match(w.join('\n'), /^extra: unknown field/m);
});

test('an invalid file gives one warning and a bounded fallback, never an exception', () => {
  const file = writeStrategies({ default_strategy: { type: 'probabilistic', param: 7 } });
  const w = warnings();
  const clock = manualClock();
  const sampler = createSampler({ serviceName: 'gateway', strategiesFile: file, clock: clock.now, warn: w.warn });
  assert.equal(w.list.length, 1);
  assert.match(w.list[0] ?? '', new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is invalid: default_strategy\\.param: must be a number between 0 and 1 \\(got 7\\); using the fallback strategy \\(ratelimiting 10 traces/s\\)`));
  const { tracer, exporter } = tracerWith(sampler);
  for (let i = 0; i < 100; i++) {
    tracer.startSpan('POST /v1/predict', { kind: SpanKind.SERVER }).end();
    clock.advance(10); // 100 root spans over one simulated second
  }
  const spans = exporter.getFinishedSpans();
  assert.ok(spans.length >= 9 && spans.length <= 11, `fallback kept ${spans.length} of 100 in 1 s`);
  assert.equal(spans[0]?.attributes[ATTR_MLTRACE_SAMPLING_RULE], 'fallback:ratelimiting');
});

test('config/sampling-strategies.json is valid for mltrace and for Jaeger, and covers the four services', () => {
  const file = join(REPO_ROOT, 'config', 'sampling-strategies.json');
  const { strategies, warnings: w } = loadStrategiesFile(file);
  assert.deepEqual(w, [], 'no unknown keys');
  // Jaeger's loader reads only these keys (the rest, like `mltrace`, it skips) and drops ratelimiting operation strategies.
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  assert.deepEqual(Object.keys(raw).sort(), ['default_strategy', 'mltrace', 'service_strategies']);
  const allOps = [...(strategies.default_strategy?.operation_strategies ?? []), ...(strategies.service_strategies ?? []).flatMap((s) => s.operation_strategies ?? [])];
  assert.ok(allOps.every((o) => o.type === 'probabilistic'), 'operation strategies stay probabilistic so Jaeger serves them unchanged');
  for (const service of ['gateway', 'feature-store', 'inference', 'postprocess']) {
    const entry = strategies.service_strategies?.find((s) => s.service === service);
    assert.ok(entry, `${service} has its own entry`);
    assert.deepEqual(policyFromStrategies(strategies, service, file).serviceDefault, { kind: 'probabilistic', probability: 1 }, `${service}: 100 % for the demo`);
  }
  const gateway = policyFromStrategies(strategies, 'gateway', file);
  assert.ok(gateway.mlRules.some((r) => r.match.priority === 'high'), 'priority=high is always sampled');
  // And it drives real decisions: a predict call through the gateway is kept with its rule recorded.
  const sampler = createSampler({ serviceName: 'gateway', strategiesFile: file });
  const { tracer, exporter } = tracerWith(sampler);
  tracer.startSpan('POST', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'POST', 'url.path': '/v1/predict' } }).end();
  const [span] = exporter.getFinishedSpans();
  assert.equal(span?.attributes[ATTR_MLTRACE_SAMPLING_RULE], 'operation:POST /v1/predict:probabilistic');
  assert.equal(span?.attributes[ATTR_MLTRACE_SAMPLING_PROBABILITY], 1);
});

test('Jaeger /sampling responses: proto JSON, legacy enum codes, per-operation with lower bound', () => {
  assert.deepEqual(policyFromRemote({ strategyType: 'PROBABILISTIC', probabilisticSampling: { samplingRate: 0.25 } }, 'r').serviceDefault, { kind: 'probabilistic', probability: 0.25 });
  // Proto JSON omits zero values: the PROBABILISTIC enum (0) and a 0 rate both disappear.
  assert.deepEqual(policyFromRemote({ probabilisticSampling: {} }, 'r').serviceDefault, { kind: 'probabilistic', probability: 0 });
  assert.deepEqual(
    policyFromRemote({ strategyType: 1, probabilisticSampling: null, rateLimitingSampling: { maxTracesPerSecond: 7 }, operationSampling: null }, 'r').serviceDefault,
    { kind: 'ratelimiting', tracesPerSecond: 7 },
  );
  const perOp = policyFromRemote(
    {
      strategyType: 'PROBABILISTIC',
      probabilisticSampling: { samplingRate: 0.5 },
      operationSampling: {
        defaultSamplingProbability: 0.5,
        defaultLowerBoundTracesPerSecond: 2,
        perOperationStrategies: [{ operation: 'POST /v1/predict', probabilisticSampling: { samplingRate: 0.1 } }],
      },
    },
    'r',
  );
  assert.deepEqual(perOp.serviceDefault, { kind: 'guaranteed', probability: 0.5, lowerBound: 2 });
  assert.deepEqual(perOp.operations.get('POST /v1/predict'), { kind: 'guaranteed', probability: 0.1, lowerBound: 2 });
  assert.throws(() => policyFromRemote({ probabilisticSampling: { samplingRate: 3 } }, 'remote http://x'), /remote http:\/\/x is invalid: probabilisticSampling\.samplingRate: must be a number between 0 and 1 \(got 3\)/);
  assert.throws(() => policyFromRemote({}, 'r'), /has none of probabilisticSampling, rateLimitingSampling, operationSampling/);
});
