/**
 * Every lab page, tested as written: its ```sh blocks run in order in a fresh directory (with
 * `mltrace` and `npx mltrace` mapped to the built commands, and the gateway's
 * http://localhost:8080 to the lab's free port), then each row of its Findings table is checked
 * against the report of that run. One page at a time: each starts the whole system (and the
 * mystery test, run beside this file, two more).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSources, type AnalysisReport, type Trace } from '@mltrace/analysis';
import { REPO_ROOT } from '@mltrace/stack';
import { LABS, labPagePath } from '../src';
import { readState, type LabState } from '../src/state';
import { FINDING_CHECKS, findings, readsTraces, sections, shellBlocks, tracesIfLoaded, wrongFindings, type RunContext } from './lab-page';
import { freshLabDir, labEnv, mltrace, pageScript, run } from './helpers';

/** MLTRACE_LAB_TEST_ONLY=a,b runs only those labs (while working on one). */
const only = process.env['MLTRACE_LAB_TEST_ONLY']?.split(',').filter(Boolean);

test('every lab page has its parts in order, and every lab is in the index', () => {
  const index = readFileSync(join(REPO_ROOT, 'docs', 'workshop', 'README.md'), 'utf8');
  for (const lab of LABS) {
    const page = readFileSync(labPagePath(lab), 'utf8');
    const parts = sections(page).filter((s) => ['Goal', 'Start', 'Look', 'Questions', 'Hints', 'Solution'].includes(s));
    assert.deepEqual(parts, ['Goal', 'Start', 'Look', 'Questions', 'Hints', 'Solution'], lab.page);
    assert.equal(sections(page).at(-1), 'Solution', `${lab.page}: the solution comes last`);
    const row = index.split('\n').find((l) => l.includes(`](${lab.page.replace('docs/workshop/', '')})`));
    assert.ok(row, `${lab.page} is not linked from docs/workshop/README.md`);
    assert.ok(row.endsWith(`| ${lab.minutes} |`), `docs/workshop/README.md gives ${lab.page} other minutes than the lab table (${lab.minutes}): ${row}`);
    if (lab.id !== 'mystery') assert.ok(findings(page).length > 0, `${lab.page} states no findings`);
    for (const f of findings(page)) assert.ok(FINDING_CHECKS.some(([re]) => re.test(f.key)), `${lab.page}: no check knows the finding "${f.key}"`);
  }
});

/**
 * Runs the page's commands in a fresh directory and returns what its findings got wrong (empty:
 * all hold). Throws when a command fails.
 */
async function runPage(lab: (typeof LABS)[number], page: string): Promise<string[]> {
  const cwd = freshLabDir('mltrace-lab-page-');
  try {
    writeFileSync(join(cwd, 'lab.sh'), pageScript(shellBlocks(page)));
    // MLTRACE_LAB_DIR empty: the default, .mltrace/lab under the page's directory.
    const env = labEnv('');
    const ran = await run('bash', ['lab.sh'], { cwd, env, timeoutMs: 600_000 });
    const tail = (ran.stdout + ran.stderr).split('\n').slice(-30).join('\n');
    assert.equal(ran.code, 0, `${lab.page}: the commands failed:\n${tail}`);

    const tracesDir = join(cwd, '.mltrace', 'lab', 'traces');
    let report: AnalysisReport | undefined;
    let traces: Trace[] | undefined;
    const ctx: RunContext = {
      cwd,
      report: () => {
        if (!report) throw new Error(`${lab.page}: a finding about the report, but the lab sends no traffic`);
        return report;
      },
      traces: tracesIfLoaded(lab.page, () => traces),
      state: () => readState(join(cwd, '.mltrace', 'lab')) as LabState,
    };
    if (lab.traffic) {
      // The traces too, beside the report, only when a finding reads them (as with Jaeger).
      const [r, loaded] = await Promise.all([mltrace(['analyze', tracesDir, '--format', 'json'], env, cwd), readsTraces(page) ? loadSources([tracesDir]) : undefined]);
      assert.equal(r.code, 0, r.stderr);
      report = JSON.parse(r.stdout) as AnalysisReport;
      traces = loaded?.traces;
    }
    const wrong = await wrongFindings(page, ctx, tracesDir, env);
    return wrong;
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

describe('each lab, run as written', { concurrency: 1 }, () => {
  for (const lab of LABS.filter((l) => !only?.length || only.includes(l.id))) {
    test(`${lab.page}: its commands run and its findings hold`, async (t) => {
      const page = readFileSync(labPagePath(lab), 'utf8');
      let wrong = await runPage(lab, page);
      if (wrong.length > 0) {
        // Latency findings (critical path, slices) come from timings: a run starved of CPU by other
        // processes can flip them. The page gets one more run; wrong twice is wrong.
        t.diagnostic(`first run: ${wrong.join(' | ')}; running the page once more`);
        wrong = await runPage(lab, page);
      }
      assert.deepEqual(wrong, [], `${lab.page}:\n${wrong.join('\n')}`);
    });
  }
});
