import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runOverheadBench, selectConfigurations, type BenchReport } from '../src';

test('a short run of off and 100 % sampling, side by side in slices, starts the real systems, measures both and writes the report', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'lab-out-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const lines: string[] = [];
  const { report, markdown, files } = await runOverheadBench({
    rounds: 1,
    configurations: selectConfigurations('head-100'),
    warmupS: 0.5,
    closedS: 1,
    sliceS: 0.5,
    openS: 1,
    connections: 4,
    openRate: 20,
    seedCustomers: 500,
    profile: [],
    outDir: out,
    workDir: tmpdir(),
    log: (l) => lines.push(l),
  });
  assert.equal(lines.length, 2);
  const [off, traced] = report.summaries;
  assert.equal(off!.config, 'off');
  assert.equal(off!.spansPerRequest, 0);
  assert.ok(off!.maxThroughput > 10, `off: ${off!.maxThroughput} req/s`);
  assert.equal(traced!.config, 'head-100');
  // gateway, feature-store (×2), inference and postprocess server spans at the least.
  assert.ok(traced!.spansPerRequest >= 5, `spans/request ${traced!.spansPerRequest}`);
  assert.ok(traced!.bytesPerRequest > 1000);
  assert.ok(traced!.throughputRatio > 0 && Number.isFinite(traced!.p50Added));
  // Two slices each, interleaved: the ratio pairs slice i of head-100 with slice i of off.
  const json0 = report.runs.map((r) => r.sliceThroughputs.length);
  assert.deepEqual(json0, [2, 2]);
  assert.ok(traced!.throughputRatioRange[0] <= traced!.throughputRatio && traced!.throughputRatio <= traced!.throughputRatioRange[1]);
  for (const r of report.runs) assert.ok(r.sliceCpuMsPerRequest.length === 2 && r.sliceCpuMsPerRequest.every((ms) => ms > 0 && Number.isFinite(ms)), JSON.stringify(r.sliceCpuMsPerRequest));
  assert.ok(Number.isFinite(traced!.saturatedCpuRatio) && traced!.saturatedCpuRatio > 0);
  assert.ok(Object.keys(traced!.cpuMsPerRequestByService).includes('gateway'));
  // One SERVER span per hop, from mltrace's fastify hooks (instrumentation-http only traces outgoing requests).
  assert.ok(traced!.spansPerRequestByScope['@mltrace/tracing/fastify']! >= 5);
  assert.equal(off!.errors + traced!.errors, 0);
  for (const f of files) assert.ok(existsSync(f));
  const json = JSON.parse(readFileSync(files.find((f) => f.endsWith('latest.json'))!, 'utf8')) as BenchReport;
  assert.equal(json.runs.length, 2);
  assert.match(markdown, /\| `head-100` head sampling 100 %/);
  assert.match(markdown, /Machine: \d+ cores/);
});
