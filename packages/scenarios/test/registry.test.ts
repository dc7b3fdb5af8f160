import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isScenarioName, scenarioFor, SCENARIO_NAMES, scenariosOf } from '../src';

test('every scenario belongs to exactly one service, and the services together plant all of them', () => {
  const byService = (['gateway', 'feature-store', 'inference', 'postprocess'] as const).flatMap((s) => scenariosOf(s));
  assert.deepEqual([...byService].sort(), [...SCENARIO_NAMES].sort());
  assert.deepEqual(scenariosOf('feature-store'), ['slow-features', 'n-plus-one', 'hot-partition']);
});

test('scenarioFor keeps a service\'s own names and drops the others, unknown and empty ones', () => {
  assert.equal(scenarioFor('inference', 'cold-model'), 'cold-model');
  assert.equal(scenarioFor('inference', 'n-plus-one'), null);
  assert.equal(scenarioFor('gateway', 'no-such-scenario'), null);
  assert.equal(scenarioFor('gateway', undefined), null);
  assert.equal(isScenarioName('toString'), false, 'inherited object keys are not scenarios');
});
