/**
 * The labs with the real Jaeger v2 (packages/jaeger), as docs/workshop/README.md says to run them:
 * its `sh jaeger` blocks run as written (`npm run jaeger -- --detach`, a lab started with
 * OTEL_EXPORTER_OTLP_ENDPOINT, `mltrace analyze` of Jaeger's URL; at the end `--stop`), with
 * Jaeger on free ports (MLTRACE_JAEGER_PORTS=auto) and the URLs mapped to them. One Jaeger serves
 * every lab here, as it does a learner. For each lab whose page says what Jaeger shows, the page's
 * Start blocks run with the endpoint set, its Findings table is checked against the report read
 * from Jaeger (the command `lab start` printed, with its --since), and what its "With Jaeger" text
 * says is checked through Jaeger's query API (api/traces, what the UI reads).
 *
 * Jaeger not built: skipped, saying so (`npm run tools` builds it). Under CI it is built first.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSources, type AnalysisReport } from '@mltrace/analysis';
import { checkTools, isBuilt, loadConfig as loadJaegerConfig, REPO_ROOT, toolsReady, type ToolCheck } from '@mltrace/jaeger';
import { findLab, labPagePath, readState } from '../src';
import { isAlive } from '@mltrace/stack';
import type { LabState } from '../src/state';
import { freshLabDir, JAEGER_BIN, lab, labEnv, mltrace, pageScript, run } from './helpers';
import { readsTraces, section, shellBlocks, tracesIfLoaded, wrongFindings, type RunContext } from './lab-page';
import { jaegerApi } from './jaeger-api';
import { JAEGER_CLAIMS } from './jaeger-claims';

const README = join(REPO_ROOT, 'docs', 'workshop', 'README.md');
const cwd = freshLabDir('mltrace-lab-jaeger-');
const env: NodeJS.ProcessEnv = { ...labEnv(''), MLTRACE_JAEGER_PORTS: 'auto' };
let tools: ToolCheck;

before(async () => {
  // Not built and not CI: skip rather than build Jaeger (minutes) inside a test run.
  tools = isBuilt('jaeger') || loadJaegerConfig().ci ? await checkTools(['jaeger']) : { ok: false, missing: 'Jaeger v2 is not built: `npm run tools` builds it (needs Go)' };
});

after(async () => {
  // Whatever failed: no lab, no Jaeger left behind.
  await lab(['stop'], env, cwd);
  const state = join(cwd, '.mltrace', 'jaeger', 'state.json');
  if (existsSync(state)) await run(process.execPath, [JAEGER_BIN, '--stop'], { env, cwd });
  rmSync(cwd, { recursive: true, force: true });
});

async function sh(blocks: string[], name: string): Promise<string> {
  writeFileSync(join(cwd, `${name}.sh`), pageScript(blocks));
  const r = await run('bash', [`${name}.sh`], { cwd, env, timeoutMs: 300_000 });
  assert.equal(r.code, 0, `${name}: the commands failed:\n${(r.stdout + r.stderr).split('\n').slice(-30).join('\n')}`);
  return r.stdout;
}

const jaegerState = (): { queryUrl: string; otlpHttpUrl: string; pid: number } => JSON.parse(readFileSync(join(cwd, '.mltrace', 'jaeger', 'state.json'), 'utf8'));
const labState = (): LabState => readState(join(cwd, '.mltrace', 'lab')) as LabState;

/**
 * The labs whose pages say what Jaeger shows, in order. The mystery's "--traces
 * http://localhost:16686 for the answer" is the `lab answer` row of each of these pages, judged from Jaeger.
 */
const LABS = Object.keys(JAEGER_CLAIMS);

/**
 * Runs the page's Start blocks with the endpoint set (or, `first` given, that block in their place:
 * README's, which starts the first lab the same way), reads what `lab start` said to analyze, and
 * returns what the page gets wrong.
 */
async function runWithJaeger(id: string, first?: string): Promise<string[]> {
  const found = findLab(id);
  assert.ok(found, id);
  const page = readFileSync(labPagePath(found), 'utf8');
  let start = shellBlocks(section(page, 'Start'));
  assert.ok(start.length > 0, `${found.page}: no Start commands`);
  if (first !== undefined) {
    const own = `npx mltrace lab start ${id}`;
    assert.equal(start[0]?.trim(), own, `${found.page} starts with ${own}`);
    start = [first, ...start.slice(1)];
  }
  // Start the lab with the OTLP endpoint set, as docs/workshop/README.md says; the lab keeps running.
  const out = await sh(['export OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318', ...start, 'trap - EXIT'], id);
  const api = jaegerApi(jaegerState().queryUrl);
  const state = labState();
  assert.equal(state.otlpEndpoint, jaegerState().otlpHttpUrl, `${id}: the lab's traces go to Jaeger`);
  assert.ok(!existsSync(state.tracesDir) || readdirSync(state.tracesDir).length === 0, `${id}: no trace files beside Jaeger`);
  // Jaeger runs on free ports here: lab start names its own query URL, not the default port.
  const printed = new RegExp(`npx mltrace analyze ${api.url.replaceAll('.', '\\.')} --since (\\S+)`).exec(out);
  assert.ok(printed, `${id}: lab start printed no command to analyze this Jaeger's traces (${api.url}):\n${out}`);
  const since = printed[1] as string;

  // The traces too, beside the report, only when a finding reads them: each read of Jaeger costs it and us the whole window.
  const [r, loaded] = await Promise.all([
    mltrace(['analyze', api.url, '--since', since, '--format', 'json'], env, cwd),
    readsTraces(page) ? loadSources([api.url], { since: Date.parse(since) * 1000 }) : undefined,
  ]);
  assert.equal(r.code, 0, `${id}: analyze of Jaeger: ${r.stderr}`);
  const report = JSON.parse(r.stdout) as AnalysisReport;
  const ctx: RunContext = { cwd, report: () => report, traces: tracesIfLoaded(id, () => loaded?.traces), state: labState };
  const claims = JAEGER_CLAIMS[id];
  assert.ok(claims, id);
  // Both only read Jaeger: side by side.
  const [findingsWrong, claimsWrong] = await Promise.all([wrongFindings(page, ctx, api.url, env), claims(api, ctx, Date.parse(since) * 1000)]);
  const wrong = [...findingsWrong, ...claimsWrong.map((w) => `with Jaeger: ${w}`)];
  await lab(['stop'], env, cwd);
  return wrong;
}

test('docs/workshop/README.md: the Docker variant of "With Jaeger"', (t) => {
  assert.equal(shellBlocks(readFileSync(README, 'utf8'), 'docker').length, 1);
  t.skip('its `sh docker` block needs Docker, which the tests do not use; the `npm run jaeger` blocks are the same path, run below');
});

test('the labs with Jaeger: README blocks as written, and each page that says what Jaeger shows', async (t) => {
  if (!toolsReady(t, tools)) return;
  const readme = readFileSync(README, 'utf8');
  const [startBlock, stopBlock, ...more] = shellBlocks(readme, 'jaeger');
  assert.ok(startBlock && stopBlock && more.length === 0, 'docs/workshop/README.md has two `sh jaeger` blocks: start, stop');

  // README's block starts Jaeger and lab 1 (reading-a-trace) into it; lab 1's page goes on from there.
  const [first, ...rest] = LABS;
  assert.equal(first, 'reading-a-trace');
  await t.test(`README's block, then ${findLab(first)?.page}: Jaeger in the background, the lab into it, the report read from Jaeger`, async (st) => {
    const readmeStart = startBlock.split('\n').filter((l) => !l.startsWith('npx mltrace analyze')).join('\n');
    const readmeAnalyze = startBlock.split('\n').filter((l) => l.startsWith('npx mltrace analyze'));
    assert.equal(readmeAnalyze.length, 1, 'the README block analyzes Jaeger once');
    const wrong = await runWithJaeger(first, readmeStart);
    const jaeger = jaegerState();
    assert.ok(isAlive(jaeger.pid), 'Jaeger runs in the background after the block');
    assert.deepEqual((await jaegerApi(jaeger.queryUrl).services()).sort(), ['feature-store', 'gateway', 'inference', 'postprocess'], "Jaeger's services: the four, not Jaeger itself");
    // The block's last command, as written: the report from Jaeger counts every request the lab sent.
    const sent = labState().load?.sent ?? 0;
    const out = await sh(readmeAnalyze, 'readme-analyze');
    if (!new RegExp(`^ {2}${sent + 1} requests, [\\d,]+ spans`, 'm').test(out)) wrong.push(`README: the report from Jaeger does not count the ${sent} requests the lab sent and the page's one:\n${out.slice(0, 400)}`);
    if (wrong.length > 0) st.diagnostic(wrong.join(' | '));
    assert.deepEqual(wrong, [], wrong.join('\n'));
  });

  for (const id of rest) {
    await t.test(`${findLab(id)?.page}: its findings, read from Jaeger, and what it says Jaeger shows`, async (st) => {
      let wrong = await runWithJaeger(id);
      if (wrong.length > 0) {
        // As in labs.test.ts: latency findings come from timings a busy machine can distort.
        st.diagnostic(`first run: ${wrong.join(' | ')}; running the page once more`);
        wrong = await runWithJaeger(id);
      }
      assert.deepEqual(wrong, [], wrong.join('\n'));
    });
  }

  await t.test('README: the last block stops the lab and Jaeger', async () => {
    const { pid } = jaegerState();
    await sh([stopBlock], 'readme-stop');
    assert.ok(!isAlive(pid), 'Jaeger is gone');
    assert.ok(!existsSync(join(cwd, '.mltrace', 'jaeger', 'state.json')), 'its state is gone');
  });
});
