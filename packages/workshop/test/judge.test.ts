/** The verdict logic on synthetic traces (fast): what makes an answer right, and what a wrong one is told. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, generateTraces } from '@mltrace/analysis';
import { judge, scenariosShown } from '../src';

const nPlusOne = generateTraces({ traces: 300, seed: 3, faults: { nPlusOne: true } });
const nPlusOneReport = analyze(nPlusOne);

test('traces with no fault show no scenario; traces with one show that one', () => {
  const clean = generateTraces({ traces: 300, seed: 3 });
  assert.deepEqual(scenariosShown(analyze(clean), clean), []);
  assert.deepEqual(scenariosShown(nPlusOneReport, nPlusOne), ['n-plus-one']);
});

test('the right scenario, service and operation are accepted, with what the traces show', () => {
  const v = judge({ scenario: 'n-plus-one', service: 'feature-store', operation: 'hmget' }, nPlusOneReport, nPlusOne);
  assert.equal(v.right, true, v.lines.join('\n'));
  assert.match(v.lines[0] as string, /^Right: n-plus-one\./);
  assert.ok(v.lines.some((l) => /redis-n-plus-one on feature-store: redis hmget/.test(l)), v.lines.join('\n'));
});

test('a wrong scenario is refused, with what it would have shown and what the report does show', () => {
  const v = judge({ scenario: 'cold-model' }, nPlusOneReport, nPlusOne);
  assert.equal(v.right, false);
  assert.match(v.lines[0] as string, /^Not cold-model\. cold-model would show recommendation model-reloaded; these traces show:/);
  assert.ok(v.lines.includes('What the report does show:'));
  assert.ok(v.lines.some((l) => l.includes('recommendations: redis-n-plus-one')), v.lines.join('\n'));
});

test('the right scenario in the wrong service, or at the wrong operation, is refused and says where to look', () => {
  const service = judge({ scenario: 'n-plus-one', service: 'gateway' }, nPlusOneReport, nPlusOne);
  assert.equal(service.right, false);
  assert.ok(service.lines.includes('But the service is wrong: n-plus-one starts in feature-store, not gateway.'), service.lines.join('\n'));
  const op = judge({ scenario: 'n-plus-one', service: 'feature-store', operation: 'model_load' }, nPlusOneReport, nPlusOne);
  assert.equal(op.right, false);
  assert.ok(op.lines.some((l) => l.startsWith("But the operation is wrong: look at feature-store's hmget or feature_extraction")), op.lines.join('\n'));
});

test('a planted mystery is the truth, whatever else the traces might suggest', () => {
  assert.equal(judge({ scenario: 'n-plus-one' }, nPlusOneReport, nPlusOne, 'slow-features').right, false);
  assert.equal(judge({ scenario: 'slow-features' }, nPlusOneReport, nPlusOne, 'slow-features').right, true);
});
