/**
 * Every scenario as a mystery, end to end: `mltrace lab start --mystery --seed i` plants scenario i
 * (not named in the output), `mltrace analyze` reads the real trace files, the right answer is
 * accepted (exit 0, with what the traces show), a wrong one refused (exit 1, with an explanation),
 * the right scenario with the wrong service refused too, and `stop` ends the system.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCENARIO_NAMES, SCENARIOS } from '@mltrace/scenarios';
import { mysteryScenario, readState } from '../src';
import { isAlive } from '@mltrace/stack';
import { lab, labEnv, mltrace, pool } from './helpers';

/** MLTRACE_LAB_TEST_ONLY=a,b runs only those scenarios (while working on one). */
const only = process.env['MLTRACE_LAB_TEST_ONLY']?.split(',').filter(Boolean);
const names = SCENARIO_NAMES.filter((n) => !only?.length || only.includes(n));

test('each scenario as a mystery: planted unseen, found in the report, right answer accepted, wrong ones refused', async (t) => {
  const failures: string[] = [];
  await pool(names.map((name) => ({ name, i: SCENARIO_NAMES.indexOf(name) })), 2, async ({ name, i }) => {
    assert.equal(mysteryScenario(i), name, 'round i plants scenario i');
    const dir = mkdtempSync(join(tmpdir(), `mltrace-mystery-${i}-`));
    const env = labEnv(join(dir, 'lab'));
    try {
      const started = await lab(['start', '--mystery', '--seed', String(i)], env);
      assert.equal(started.code, 0, `${name}: start: ${started.stdout}${started.stderr}`);
      assert.ok(!started.stdout.includes(name), `${name}: the start output names the scenario:\n${started.stdout}`);
      assert.match(started.stdout, /npx mltrace analyze/);
      const state = readState(join(dir, 'lab'));
      assert.ok(state && isAlive(state.pid), `${name}: the system runs after start`);

      const report = await mltrace(['analyze', join(dir, 'lab', 'traces'), '--format', 'json'], env);
      assert.equal(report.code, 0, `${name}: analyze: ${report.stderr}`);
      assert.ok((JSON.parse(report.stdout) as { performance: unknown }).performance, `${name}: a report`);

      const spec = SCENARIOS[name];
      const right = await lab(['answer', name, '--service', spec.service, '--operation', spec.operations[0] as string], env);
      if (right.code !== 0) failures.push(`${name}: the right answer was refused:\n${right.stdout}${right.stderr}`);
      else assert.match(right.stdout, new RegExp(`^Right: ${name}\\.`, 'm'));

      const other = SCENARIO_NAMES[(i + 1) % SCENARIO_NAMES.length] as string;
      const wrong = await lab(['answer', other], env);
      assert.equal(wrong.code, 1, `${name}: the wrong answer ${other} was accepted:\n${wrong.stdout}`);
      assert.match(wrong.stdout, new RegExp(`^Not ${other}\\. ${other} would show `, 'm'));
      assert.match(wrong.stdout, /What the report does show:\n {2}- critical path: /);

      const wrongService = SCENARIO_NAMES.map((n) => SCENARIOS[n].service).find((s) => s !== spec.service) as string;
      const half = await lab(['answer', name, '--service', wrongService], env);
      assert.equal(half.code, 1, `${name}: the wrong service ${wrongService} was accepted:\n${half.stdout}`);
      assert.match(half.stdout, new RegExp(`starts in ${spec.service}, not ${wrongService}`));

      // The same traces judged as a folder: what they show, with no planted truth to lean on.
      const byTraces = await lab(['answer', name, '--traces', join(dir, 'lab', 'traces')], env);
      if (byTraces.code !== 0) failures.push(`${name}: --traces refused the right answer:\n${byTraces.stdout}${byTraces.stderr}`);
      const wrongByTraces = await lab(['answer', other, '--traces', join(dir, 'lab', 'traces')], env);
      if (wrongByTraces.code !== 1) failures.push(`${name}: --traces accepted the wrong answer ${other}:\n${wrongByTraces.stdout}${wrongByTraces.stderr}`);

      const stopped = await lab(['stop'], env);
      assert.equal(stopped.code, 0, stopped.stderr);
      assert.ok(!isAlive(state.pid), `${name}: the runner is gone after stop`);
      t.diagnostic(`${name}: ok`);
    } finally {
      await lab(['stop'], env);
      rmSync(dir, { recursive: true, force: true });
    }
  });
  assert.deepEqual(failures, [], failures.join('\n\n'));
});
