import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { context, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import { setTracingRuntime } from '../src/runtime';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import { setupInMemoryTracing } from './support';
import {
  ATTR_BUSINESS_CUSTOMER_SEGMENT,
  ATTR_ML_DATA_INPUT_SIZE,
  ATTR_ML_DATA_OUTPUT_SIZE,
  ATTR_ML_DURATION_MS,
  ATTR_ML_ENTITY_COUNT,
  ATTR_ML_ENTITY_MISSING_COUNT,
  ATTR_ML_FEATURE_COUNT,
  ATTR_ML_FEATURE_NAMES,
  ATTR_ML_FEATURE_STORE_VERSION,
  ATTR_ML_INPUT_DTYPE,
  ATTR_ML_INPUT_SHAPE,
  ATTR_ML_INPUT_SIZE,
  ATTR_ML_MODEL_NAME,
  ATTR_ML_MODEL_VERSION,
  ATTR_ML_OPERATION_TYPE,
  ATTR_ML_OUTPUT_SHAPE,
  ATTR_ML_PIPELINE_STAGE,
  ATTR_ML_PREDICTION_CONFIDENCE,
  ATTR_ML_PREDICTION_CONFIDENCE_MEAN,
  ATTR_ML_PREDICTION_CONFIDENCE_STD,
  ATTR_ML_PREDICTION_COUNT,
  ATTR_ML_SUCCESS,
  getTracer,
  startChildSpan,
  traceDataProcessing,
  traceFeatureExtraction,
  traceModelPrediction,
  withMLContext,
} from '../src/index';

const { exporter } = setupInMemoryTracing();
beforeEach(() => exporter.reset());

function onlySpan(name: string) {
  const spans = exporter.getFinishedSpans().filter((s) => s.name === name);
  assert.equal(spans.length, 1, `one span named ${name}`);
  return spans[0]!;
}

test('traceModelPrediction records model, input, output and batch confidence; spans inside are its children', async () => {
  const features = [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]];
  const result = await traceModelPrediction(
    { modelName: 'churn-gbt', modelVersion: 'v2', inputShape: [2, 3] },
    async (span) => {
      await delay(5);
      getTracer().startActiveSpan('onnx.run', (inner) => inner.end());
      assert.equal(trace.getActiveSpan(), span);
      return features.map((_, i) => ({ confidence: i === 0 ? 0.6 : 0.8 }));
    },
    (preds) => ({ outputShape: [preds.length, 2], confidences: preds.map((p) => p.confidence) }),
  );
  assert.equal(result.length, 2);
  const span = onlySpan('model_prediction');
  const a = span.attributes;
  assert.equal(a[ATTR_ML_OPERATION_TYPE], 'model_prediction');
  assert.equal(a[ATTR_ML_MODEL_NAME], 'churn-gbt');
  assert.equal(a[ATTR_ML_MODEL_VERSION], 'v2');
  assert.deepEqual(a[ATTR_ML_INPUT_SHAPE], [2, 3]);
  assert.equal(a[ATTR_ML_INPUT_DTYPE], 'float32');
  assert.equal(a[ATTR_ML_INPUT_SIZE], 6);
  assert.equal(a[ATTR_ML_PIPELINE_STAGE], 'inference');
  assert.deepEqual(a[ATTR_ML_OUTPUT_SHAPE], [2, 2]);
  assert.equal(a[ATTR_ML_PREDICTION_COUNT], 2);
  assert.ok(Math.abs((a[ATTR_ML_PREDICTION_CONFIDENCE_MEAN] as number) - 0.7) < 1e-9);
  assert.ok(Math.abs((a[ATTR_ML_PREDICTION_CONFIDENCE_STD] as number) - 0.1) < 1e-9);
  assert.equal(a[ATTR_ML_SUCCESS], true);
  assert.ok((a[ATTR_ML_DURATION_MS] as number) >= 4, `duration ${String(a[ATTR_ML_DURATION_MS])}`);
  assert.equal(span.status.code, SpanStatusCode.UNSET);
  // Raw feature values never reach the span.
  assert.ok(!JSON.stringify(a).includes('0.4'));
  const inner = onlySpan('onnx.run');
  assert.equal(inner.parentSpanContext?.spanId, span.spanContext().spanId);
});

test('a single prediction records a scalar confidence', async () => {
  await traceModelPrediction({ name: 'predict-one', modelName: 'm', modelVersion: 'v1', inputShape: [1, 12], inputDtype: 'float64' }, () => 0.93, (c) => ({ confidences: [c] }));
  const a = onlySpan('predict-one').attributes;
  assert.equal(a[ATTR_ML_PREDICTION_CONFIDENCE], 0.93);
  assert.equal(a[ATTR_ML_PREDICTION_CONFIDENCE_MEAN], undefined);
  assert.equal(a[ATTR_ML_INPUT_DTYPE], 'float64');
});

test('errors: error.type, exception event, ERROR status, and the same error rethrown', async () => {
  class ModelMissingError extends Error {
    override name = 'ModelMissingError';
  }
  const thrown = new ModelMissingError('model v9 not found');
  const caught = await traceModelPrediction({ modelName: 'm', modelVersion: 'v9', inputShape: [1, 12] }, async () => {
    await delay(1);
    throw thrown;
  }).catch((e: unknown) => e);
  assert.equal(caught, thrown);
  const span = onlySpan('model_prediction');
  assert.equal(span.attributes[ATTR_ERROR_TYPE], 'ModelMissingError');
  assert.equal(span.attributes[ATTR_ML_SUCCESS], false);
  assert.equal(span.status.code, SpanStatusCode.ERROR);
  assert.equal(span.status.message, 'model v9 not found');
  const ev = span.events.find((e) => e.name === 'exception');
  assert.equal(ev?.attributes?.['exception.message'], 'model v9 not found');
  assert.equal(span.ended, true);

  // A synchronous throw and an error carrying a code behave the same way.
  const coded = Object.assign(new Error('redis down'), { code: 'FST_REDIS_UNAVAILABLE' });
  await assert.rejects(
    traceFeatureExtraction({ featureNames: ['a'] }, () => {
      throw coded;
    }),
    (e) => e === coded,
  );
  assert.equal(onlySpan('feature_extraction').attributes[ATTR_ERROR_TYPE], 'FST_REDIS_UNAVAILABLE');
});

test('traceFeatureExtraction lists at most ten feature names and records entity counts', async () => {
  const names = Array.from({ length: 12 }, (_, i) => `f${i}`);
  await traceFeatureExtraction(
    { featureNames: names, featureVersion: 'v1', entityCount: 5, stage: 'feature_lookup' },
    async () => ({ found: 4 }),
    (r) => ({ entityCount: 5, missingCount: 5 - r.found }),
  );
  const a = onlySpan('feature_extraction').attributes;
  assert.equal(a[ATTR_ML_FEATURE_COUNT], 12);
  assert.deepEqual(a[ATTR_ML_FEATURE_NAMES], names.slice(0, 10));
  assert.equal(a[ATTR_ML_FEATURE_STORE_VERSION], 'v1');
  assert.equal(a[ATTR_ML_ENTITY_COUNT], 5);
  assert.equal(a[ATTR_ML_ENTITY_MISSING_COUNT], 1);
  assert.equal(a[ATTR_ML_PIPELINE_STAGE], 'feature_lookup');
});

test('traceDataProcessing records sizes; a throwing summarizer does not fail the work', async () => {
  const out = await traceDataProcessing({ operation: 'threshold', inputSize: 3 }, () => [1, 2], (r) => ({ outputSize: r.length }));
  assert.deepEqual(out, [1, 2]);
  const a = onlySpan('threshold').attributes;
  assert.equal(a[ATTR_ML_DATA_INPUT_SIZE], 3);
  assert.equal(a[ATTR_ML_DATA_OUTPUT_SIZE], 2);
  assert.equal(a[ATTR_ML_OPERATION_TYPE], 'data_processing');

  const v = await traceDataProcessing({ operation: 'x' }, () => 7, () => {
    throw new Error('bad summarizer');
  });
  assert.equal(v, 7);
  assert.equal(onlySpan('x').status.code, SpanStatusCode.UNSET);
});

test('concurrent helpers keep their own parents (async context is not crossed)', async () => {
  const run = (id: string, ms: number) =>
    traceDataProcessing({ operation: `outer-${id}` }, async () => {
      await delay(ms);
      await traceDataProcessing({ operation: `inner-${id}` }, () => delay(1));
    });
  await Promise.all([run('a', 10), run('b', 1), run('c', 5)]);
  for (const id of ['a', 'b', 'c']) {
    assert.equal(onlySpan(`inner-${id}`).parentSpanContext?.spanId, onlySpan(`outer-${id}`).spanContext().spanId);
  }
});

test('withMLContext puts members on spans started inside it and on the active span', async () => {
  await traceDataProcessing({ operation: 'request' }, async () => {
    await withMLContext({ customer_segment: 'premium', model_version: '' }, () =>
      traceModelPrediction({ modelName: 'm', modelVersion: 'v1', inputShape: [1, 1] }, () => 1),
    );
  });
  assert.equal(onlySpan('model_prediction').attributes[ATTR_BUSINESS_CUSTOMER_SEGMENT], 'premium');
  assert.equal(onlySpan('request').attributes[ATTR_BUSINESS_CUSTOMER_SEGMENT], 'premium');
});

test('under an unsampled parent, with a parent-following sampler, helpers and startChildSpan start no span', async (t) => {
  setTracingRuntime({ shutdown: async () => {}, stats: () => ({ exported: 0, droppedQueueFull: 0, droppedExportFailed: 0, droppedAtShutdown: 0, dropped: 0 }), samplerFollowsParent: true });
  t.after(() => setTracingRuntime(undefined));
  const unsampled = trace.setSpanContext(context.active(), { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.NONE, isRemote: true });
  let built = 0;
  await context.with(unsampled, async () => {
    const seen = await traceFeatureExtraction({ featureNames: ['a'], entityCount: 1 }, (span) => span.spanContext().spanId);
    assert.equal(seen, '00f067aa0ba902b7', 'fn gets the active (parent) span');
    const child = startChildSpan('pipeline', () => (built++, {}));
    assert.equal(child.isRecording(), false);
    assert.equal(child.spanContext().spanId, '00f067aa0ba902b7', 'the parent context, not a new span');
    child.end();
    assert.equal(trace.getSpan(context.active())?.spanContext().spanId, '00f067aa0ba902b7');
  });
  assert.equal(built, 0, 'the options are not built');
  assert.equal(exporter.getFinishedSpans().length, 0);
  // A sampled parent (or no parent) gets a real child span.
  await getTracer().startActiveSpan('root', async (root) => {
    const child = startChildSpan('pipeline', () => (built++, { attributes: { k: 'v' } }));
    child.end();
    root.end();
  });
  assert.equal(built, 1);
  const pipeline = onlySpan('pipeline');
  assert.equal(pipeline.attributes['k'], 'v');
  assert.equal(pipeline.parentSpanContext?.spanId, onlySpan('root').spanContext().spanId);
});
