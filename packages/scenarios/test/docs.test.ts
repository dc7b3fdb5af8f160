/** docs/scenarios.md says what the registry holds: the same names, services and settings, and a section per scenario. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeScenario, SCENARIO_NAMES, SCENARIOS } from '../src';

// dist/test → the repository root.
const DOC = readFileSync(join(__dirname, '..', '..', '..', '..', 'docs', 'scenarios.md'), 'utf8');

/** The rows of the table under "## The scenarios": switch, service, problem. */
function tableRows(): string[][] {
  const section = DOC.slice(DOC.indexOf('## The scenarios'));
  return section
    .split('\n')
    .filter((line) => /^\| `[a-z-]+` \|/.test(line))
    .map((line) => line.slice(1, -1).split(' | ').map((cell) => cell.trim()));
}

test('the table of docs/scenarios.md lists the registry\'s scenarios, in its order, with their services', () => {
  const rows = tableRows();
  assert.deepEqual(rows.map((r) => r[0]), SCENARIO_NAMES.map((n) => `\`${n}\``));
  for (const row of rows) {
    const name = row[0]!.slice(1, -1) as keyof typeof SCENARIOS;
    assert.equal(row[1], SCENARIOS[name].service, name);
  }
});

test('each row states the problem with the registry\'s settings (delays, shares, slices)', () => {
  for (const row of tableRows()) {
    const name = row[0]!.slice(1, -1) as keyof typeof SCENARIOS;
    assert.equal(row[2], describeScenario(name), name);
  }
});

test('each scenario has its section, and slow-features puts the delay inside the Redis client span', () => {
  for (const name of SCENARIO_NAMES) assert.ok(DOC.includes(`### \`${name}\``), `no section for ${name}`);
  const slow = DOC.slice(DOC.indexOf('### `slow-features`'), DOC.indexOf('### `n-plus-one`'));
  assert.match(slow, /Redis client span itself lasts 80\+ ms|client span itself lasts/);
  assert.doesNotMatch(slow, /the delay\s+is before it/);
  assert.ok(slow.includes(`${SCENARIOS['slow-features'].settings.delayMs}+ ms`));
});
