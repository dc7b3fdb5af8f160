/** The command's manners without a system: list, usage errors, an answer with no mystery. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCENARIO_NAMES } from '@mltrace/scenarios';
import { LABS } from '../src';
import { lab, labEnv } from './helpers';

test('list: every lab in order, as text and as JSON, about 2–3 hours in all', async () => {
  const env = labEnv(join(tmpdir(), 'mltrace-lab-none'));
  const text = await lab(['list'], env);
  assert.equal(text.code, 0, text.stderr);
  LABS.forEach((l, i) => assert.match(text.stdout, new RegExp(`^\\s*${i + 1}  ${l.id} `, 'm')));
  const json = await lab(['list', '--format', 'json'], env);
  const rows = JSON.parse(json.stdout) as Array<{ id: string; page: string; minutes: number }>;
  assert.deepEqual(rows.map((r) => r.id), LABS.map((l) => l.id));
  const hours = rows.reduce((s, r) => s + r.minutes, 0) / 60;
  assert.ok(hours >= 2 && hours <= 3, `${hours} h`);
  // Every scenario has a lab of its own name, so "mltrace lab start <scenario>" works too.
  for (const name of SCENARIO_NAMES) assert.ok(LABS.some((l) => l.id === name && l.scenario === name), name);
});

test('usage errors exit 2 with one line naming the problem; an answer with nothing to judge says what to do', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mltrace-lab-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const env = labEnv(join(dir, 'lab'));
  const unknownLab = await lab(['start', 'no-such-lab'], env);
  assert.equal(unknownLab.code, 2);
  assert.match(unknownLab.stderr, /no lab named "no-such-lab"; the labs: reading-a-trace,/);
  const unknownScenario = await lab(['answer', 'slow-model'], env);
  assert.equal(unknownScenario.code, 2);
  assert.match(unknownScenario.stderr, /"slow-model" is not a scenario; the scenarios: slow-features,/);
  const noMystery = await lab(['answer', 'n-plus-one'], env);
  assert.equal(noMystery.code, 2);
  assert.match(noMystery.stderr, /no mystery has been started: run "mltrace lab start --mystery"/);
  const stop = await lab(['stop'], env);
  assert.equal(stop.code, 0);
  assert.match(stop.stdout, /no lab is running/);
  const unknownCommand = await lab(['begin'], env);
  assert.equal(unknownCommand.code, 2);
});
