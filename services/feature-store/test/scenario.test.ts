import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FEATURE_NAMES } from '@mltrace/dataset';
import { MemoryBackend } from '../src/backends/memory';
import type { FeatureBackend } from '../src/backend';
import {
  fractionPicker,
  HOT_PARTITION_DELAY_MS,
  HOT_PARTITION_REGION,
  ScenarioBackend,
  SLOW_FEATURES_DELAY_MS,
  SLOW_FEATURES_FRACTION,
} from '../src/scenario';

const rows = new Map([
  ['cust-00001', FEATURE_NAMES.map((_, i) => i)],
  ['cust-00002', FEATURE_NAMES.map((_, i) => 10 * i)],
]);

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** Counts the calls that reach the wrapped backend. */
function counting(inner: FeatureBackend): FeatureBackend & { calls: number } {
  const wrapper = {
    kind: inner.kind,
    calls: 0,
    lookup(...args: Parameters<FeatureBackend['lookup']>) {
      wrapper.calls += 1;
      return inner.lookup(...args);
    },
    status: () => inner.status(),
    close: () => inner.close(),
  };
  return wrapper;
}

test('fractionPicker picks exactly the fraction, evenly', () => {
  const pick = fractionPicker(0.3);
  const picks = Array.from({ length: 100 }, pick);
  assert.equal(picks.filter(Boolean).length, 30);
  assert.equal(picks.slice(0, 10).filter(Boolean).length, 3);
});

test('slow-features delays the planted share of lookups', async () => {
  const backend = new ScenarioBackend(new MemoryBackend(FEATURE_NAMES, rows), 'slow-features');
  const expected = Array.from({ length: 20 }, fractionPicker(SLOW_FEATURES_FRACTION));
  const durations: number[] = [];
  for (let i = 0; i < 20; i++) durations.push(await timed(() => backend.lookup(['cust-00001'], FEATURE_NAMES)));
  const slow = durations.map((d) => d >= SLOW_FEATURES_DELAY_MS - 1);
  assert.equal(expected.filter(Boolean).length, 20 * SLOW_FEATURES_FRACTION);
  // Every planted lookup is slow; a busy machine may stall an unplanted one, so those get a tolerance.
  expected.forEach((planted, i) => planted && assert.ok(slow[i], `lookup ${i} took ${durations[i]} ms`));
  assert.ok(slow.filter((s, i) => s && !expected[i]).length <= 2, `durations: ${durations.join(', ')}`);
});

test('hot-partition delays only the hot region', async () => {
  const backend = new ScenarioBackend(new MemoryBackend(FEATURE_NAMES, rows), 'hot-partition');
  const hot = await timed(() => backend.lookup(['cust-00001'], FEATURE_NAMES, { region: HOT_PARTITION_REGION }));
  const cold = await timed(() => backend.lookup(['cust-00001'], FEATURE_NAMES, { region: 'eu-west' }));
  assert.ok(hot >= HOT_PARTITION_DELAY_MS - 1, `hot lookup took ${hot} ms`);
  assert.ok(cold < HOT_PARTITION_DELAY_MS, `cold lookup took ${cold} ms`);
});

test('n-plus-one sends one backend call per entity and keeps the results in order', async () => {
  const inner = counting(new MemoryBackend(FEATURE_NAMES, rows));
  const backend = new ScenarioBackend(inner, 'n-plus-one');
  const result = await backend.lookup(['cust-00002', 'cust-00404', 'cust-00001'], [FEATURE_NAMES[1] as string]);
  assert.equal(inner.calls, 3);
  assert.deepEqual(result, [[10], null, [1]]);
});
