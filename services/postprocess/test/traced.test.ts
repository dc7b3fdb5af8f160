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

/** The service under the tracing preload, with the flaky-postprocess scenario planted. */
function startFlaky(t: Parameters<typeof startTracedProcess>[0]) {
  return startTracedProcess(t, {
    cwd: PACKAGE_ROOT,
    script: 'dist/src/server.js',
    serviceName: 'postprocess',
    env: { MLTRACE_SCENARIO: 'flaky-postprocess' },
    readyPath: '/ready',
  });
}

test('the service process under the tracing preload: segment from baggage, flaky failures as ERROR spans', async (t) => {
  const svc = await startFlaky(t);

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

test('error answers on the server span: error.type is the code the caller got; a 4xx is an event without a stack, a 5xx the exception', async (t) => {
  const svc = await startFlaky(t);
  const post = (body: string) => fetch(`${svc.url}/v1/postprocess`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const sent: Array<{ status: number; code: string }> = [];
  // Bad JSON (fastify's own FST_ERR_CTP_* inside), a schema violation, then calls until the planted 500.
  for (const body of ['{bad', '{"predictions":[]}', ...Array.from({ length: FLAKY_EVERY }, () => JSON.stringify({ predictions: [output(0.4)] }))]) {
    const res = await post(body);
    sent.push({ status: res.status, code: ((await res.json()) as { code?: string }).code ?? 'ok' });
  }
  assert.deepEqual(
    sent.filter((s) => s.status !== 200),
    [
      { status: 400, code: 'PP_INVALID_JSON' },
      { status: 400, code: 'FST_ERR_VALIDATION' },
      { status: 500, code: 'PP_FLAKY_FAILURE' },
    ],
  );
  assert.equal(await svc.stop(), 0);
  const servers = svc.spans().filter((s) => s.kind === 2);
  const byStatus = (status: number) => servers.filter((s) => s.attributes['http.response.status_code'] === status);

  for (const [span, code] of byStatus(400).map((s) => [s, s.attributes[ATTR_ERROR_TYPE]] as const)) {
    assert.ok(code === 'PP_INVALID_JSON' || code === 'FST_ERR_VALIDATION', `error.type ${String(code)}`);
    assert.notEqual(span.status.code, SPAN_STATUS_ERROR, 'a 4xx leaves a server span unset');
    const events = span.events.filter((e) => e.name === 'exception');
    assert.equal(events.length, 1);
    assert.equal(events[0]!.attributes['exception.type'], code);
    assert.ok(String(events[0]!.attributes['exception.message']).length > 10);
    assert.equal(events[0]!.attributes['exception.stacktrace'], undefined, 'no stack for the caller\'s mistake');
  }
  assert.equal(byStatus(400).length, 2);

  const [failed] = byStatus(500);
  assert.equal(failed?.attributes[ATTR_ERROR_TYPE], 'PP_FLAKY_FAILURE');
  assert.equal(failed?.status.code, SPAN_STATUS_ERROR);
  const events = failed!.events.filter((e) => e.name === 'exception');
  assert.equal(events.length, 1, 'one exception event, not one from @fastify/otel as well');
  assert.equal(events[0]!.attributes['exception.type'], 'PP_FLAKY_FAILURE');
  assert.match(String(events[0]!.attributes['exception.stacktrace']), /at /, 'a 5xx keeps its stack');
});
