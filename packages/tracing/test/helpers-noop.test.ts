// Without the preload (no SDK registered) the helpers must still run the work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getMLContext, getTracingStats, isTracingActive, shutdownTracing, traceModelPrediction, withMLContext } from '../src/index';

test('helpers run fn and return its result when no SDK is registered', async () => {
  let sawRecording: boolean | undefined;
  const out = await traceModelPrediction({ modelName: 'm', modelVersion: 'v1', inputShape: [1, 2] }, (span) => {
    sawRecording = span.isRecording();
    return 'ok';
  }, () => {
    throw new Error('summary must not be computed for a span nobody records');
  });
  assert.equal(out, 'ok');
  assert.equal(sawRecording, false);
  const err = new Error('boom');
  await assert.rejects(traceModelPrediction({ modelName: 'm', modelVersion: 'v1', inputShape: [1] }, () => Promise.reject(err)), (e) => e === err);
});

test('runtime API is inert without the preload', async () => {
  assert.equal(isTracingActive(), false);
  assert.equal(getTracingStats().dropped, 0);
  await shutdownTracing();
  // With no context manager registered the API cannot carry context; getMLContext stays empty rather than throwing.
  assert.deepEqual(withMLContext({ region: 'eu-west' }, () => getMLContext()), {});
});
