import assert from 'node:assert/strict';
import { test } from 'node:test';
import { selfTimeSummary } from '../src/analyses/attribution';
import { GAP, pipelineTrace } from './trace-builders';

test('self time per service and contribution = service critical-path time / end-to-end', () => {
  const a = pipelineTrace({ t0: 0, fs: 1000, inf: 3000, pp: 1000 });
  const b = pipelineTrace({ t0: 50_000, fs: 4000, inf: 3000, pp: 1000 });
  const r = selfTimeSummary([a.trace, b.trace]);
  // Client spans are fully covered by their server child: all their time is the callee's self time.
  const fs = r.byService.find((s) => s.service === 'feature-store');
  assert.equal(fs?.selfTime, 5000);
  const gw = r.byService.find((s) => s.service === 'gateway');
  assert.equal(gw?.selfTime, 2 * (200 + 2 * GAP), 'gateway self time is its own 2 × 100 µs plus the gaps, per trace');
  assert.equal(r.totalSelfTime, a.total + b.total);
  const c = r.contribution.find((x) => x.service === 'feature-store');
  assert.ok(Math.abs((c?.contribution ?? 0) - 5000 / (a.total + b.total)) < 1e-12);
  assert.ok(Math.abs((c?.meanTraceContribution ?? 0) - (1000 / a.total + 4000 / b.total) / 2) < 1e-12);
});
