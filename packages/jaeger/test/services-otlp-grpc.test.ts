// The four services export over OTLP/gRPC (OTEL_EXPORTER_OTLP_PROTOCOL=grpc, Jaeger's 4317) into the
// real Jaeger v2, and to files at the same time: every span the files have arrives.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { checkTools, startJaeger, toolsReady, type RunningJaeger, type ToolCheck } from '../src';
import { comparable, describeForeign, exportBoth, orphansOf, ownSpans, type ExportRun } from './pipeline';

const tmp = mkdtempSync(join(tmpdir(), 'mltrace-jaeger-grpc-'));
let tools: ToolCheck;
let jaeger: RunningJaeger | undefined;
let run: ExportRun | undefined;

before(async () => {
  tools = await checkTools(['jaeger']);
  if (!tools.ok) return;
  jaeger = await startJaeger();
  run = await exportBoth(tmp, jaeger.queryUrl, jaeger.otlpGrpcUrl, 'grpc', 2);
});

after(async () => {
  await run?.system.stop();
  await jaeger?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('over OTLP/gRPC every span the file exporter wrote arrived in Jaeger, field by field', (t) => {
  if (!toolsReady(t, tools)) return;
  const { system, sent, failure, loaded } = run!;
  if (failure) assert.fail(`${failure.message}; what the gateway's tracing said: ${tracingLines(join(system.logsDir, 'gateway.log'))}`);
  const { own: files, foreign } = ownSpans(loaded!.files);
  const inJaeger = ownSpans(loaded!.jaeger, files).own;
  if (foreign.length > 0) t.diagnostic(`not compared, another test's traffic: ${describeForeign(foreign)}`);
  for (const s of sent) assert.ok(loaded!.files.traces.some((tr) => tr.traceId === s.traceId), `trace ${s.traceId} in the files`);
  assert.deepEqual(orphansOf(files), [], 'every parent of a span of these traces was exported');
  assert.equal(inJaeger.size, files.size);
  for (const [key, span] of files) assert.deepEqual(comparable(inJaeger.get(key)!), comparable(span), `span ${key}`);
});

function tracingLines(log: string): string {
  try {
    return readFileSync(log, 'utf8').split('\n').filter((l) => l.includes('[mltrace/tracing]')).join(' | ') || '(nothing)';
  } catch {
    return '(no log)';
  }
}
