import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import { ATTR_BUSINESS_CUSTOMER_SEGMENT, ATTR_ML_DATA_INPUT_SIZE, ATTR_ML_OPERATION_TYPE } from '@mltrace/tracing';
import { freePort, readExportedSpans, stopProcess, waitForHttp } from '@mltrace/testkit';
import { DEFAULT_THRESHOLDS } from '../src/config';
import { FLAKY_EVERY } from '../src/scenario';
import { output } from './support';

const PACKAGE_ROOT = join(__dirname, '..', '..');
const SPAN_STATUS_ERROR = 2;

test('the service process under the tracing preload: segment from baggage, flaky failures as ERROR spans', async (t) => {
  const tracesDir = mkdtempSync(join(tmpdir(), 'pp-traces-'));
  t.after(() => rmSync(tracesDir, { recursive: true, force: true }));
  const port = await freePort();
  const child = spawn(process.execPath, ['--require', '@mltrace/tracing/register', 'dist/src/server.js'], {
    cwd: PACKAGE_ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      MLTRACE_SCENARIO: 'flaky-postprocess',
      OTEL_SERVICE_NAME: 'postprocess',
      OTEL_TRACES_EXPORTER: 'file',
      MLTRACE_TRACES_DIR: tracesDir,
      LOG_LEVEL: 'warn',
    },
    stdio: 'ignore',
  });
  t.after(() => stopProcess(child));
  await waitForHttp(`http://127.0.0.1:${port}/ready`);

  const statuses: number[] = [];
  for (let i = 0; i < FLAKY_EVERY; i++) {
    const res = await fetch(`http://127.0.0.1:${port}/v1/postprocess`, {
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

  await stopProcess(child);
  assert.equal(child.exitCode, 0);
  const spans = readExportedSpans(tracesDir).filter((s) => s.attributes[ATTR_ML_OPERATION_TYPE] === 'data_processing');
  assert.equal(spans.length, FLAKY_EVERY);
  assert.ok(spans.every((s) => s.attributes[ATTR_BUSINESS_CUSTOMER_SEGMENT] === 'enterprise'));
  assert.ok(spans.every((s) => s.attributes[ATTR_ML_DATA_INPUT_SIZE] === 2));
  const failed = spans.filter((s) => s.status.code === SPAN_STATUS_ERROR);
  assert.equal(failed.length, 1);
  assert.equal(failed[0]?.attributes[ATTR_ERROR_TYPE], 'PP_FLAKY_FAILURE');
});
