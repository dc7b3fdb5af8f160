import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import { ATTR_BUSINESS_CUSTOMER_SEGMENT, ATTR_ML_DATA_INPUT_SIZE, ATTR_ML_OPERATION_TYPE } from '@mltrace/tracing';
import { startTracedProcess } from '@mltrace/testkit';
import { DEFAULT_THRESHOLDS } from '../src/config';
import { FLAKY_EVERY } from '../src/scenario';
import { output } from './support';

const PACKAGE_ROOT = join(__dirname, '..', '..');
const SPAN_STATUS_ERROR = 2;

test('the service process under the tracing preload: segment from baggage, flaky failures as ERROR spans', async (t) => {
  const svc = await startTracedProcess(t, {
    cwd: PACKAGE_ROOT,
    script: 'dist/src/server.js',
    serviceName: 'postprocess',
    env: { MLTRACE_SCENARIO: 'flaky-postprocess' },
    readyPath: '/ready',
  });

  const statuses: number[] = [];
  for (let i = 0; i < FLAKY_EVERY; i++) {
    const res = await fetch(`${svc.url}/v1/postprocess`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', baggage: 'customer_segment=enterprise,region=eu-west' },
      body: JSON.stringify({ predictions: [output(0.45), output(0.9)] }),
    });
    statuses.push(res.status);
    if (res.ok) {
      const body = (await res.json()) as { segment: string; threshold: number };
      assert.equal(body.segment, 'enterprise');
      assert.equal(body.threshold, DEFAULT_THRESHOLDS.enterprise);
    }
  }
  assert.deepEqual(statuses.filter((s) => s !== 200), [500]);

  assert.equal(await svc.stop(), 0);
  const spans = svc.spans().filter((s) => s.attributes[ATTR_ML_OPERATION_TYPE] === 'data_processing');
  assert.equal(spans.length, FLAKY_EVERY);
  assert.ok(spans.every((s) => s.attributes[ATTR_BUSINESS_CUSTOMER_SEGMENT] === 'enterprise'));
  assert.ok(spans.every((s) => s.attributes[ATTR_ML_DATA_INPUT_SIZE] === 2));
  const failed = spans.filter((s) => s.status.code === SPAN_STATUS_ERROR);
  assert.equal(failed.length, 1);
  assert.equal(failed[0]?.attributes[ATTR_ERROR_TYPE], 'PP_FLAKY_FAILURE');
});
