/**
 * Reading a lab page as the tests need it: its shell commands (the ```sh blocks, in order) and
 * the findings its Solution states (the "Findings" table), each with the check that proves it
 * against the report of the run the commands made.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnalysisReport, Trace } from '@mltrace/analysis';
import { checksFor } from '../src';
import type { LabState } from '../src/state';
import { MLTRACE_BIN, run } from './helpers';

/**
 * The ```sh blocks to run, in order: the plain ones by default; `sh jaeger` (they need Jaeger:
 * labs-jaeger.test.ts), `sh docker` (Docker: never run) and `sh yours` (the learner's own choice)
 * by asking for that mark.
 */
export function shellBlocks(page: string, mark = ''): string[] {
  const blocks: string[] = [];
  const re = /^ *```sh([^\n]*)\n([\s\S]*?)^ *```/gm;
  for (let m = re.exec(page); m; m = re.exec(page)) if ((m[1] ?? '').trim() === mark) blocks.push((m[2] as string).replace(/^ +/gm, ''));
  return blocks;
}

/** The text of the page's `## heading` section. */
export function section(page: string, heading: string): string {
  const at = page.indexOf(`\n## ${heading}\n`);
  if (at < 0) return '';
  const next = page.indexOf('\n## ', at + 1);
  return page.slice(at, next < 0 ? undefined : next);
}

export interface Finding {
  key: string;
  value: string;
}

/** The rows of the table under "### Findings", backticks around whole values removed. */
export function findings(page: string): Finding[] {
  const at = page.indexOf('### Findings');
  if (at < 0) return [];
  const rows = page
    .slice(at)
    .split('\n')
    .filter((l) => l.startsWith('| '))
    .slice(2);
  return rows.map((row) => {
    const [key, value] = row.slice(2, -2).split(' | ') as [string, string];
    return { key: key.trim(), value: value.trim() };
  });
}

/** The `## ` headings of a page, in order. */
export function sections(page: string): string[] {
  return page.split('\n').filter((l) => l.startsWith('## ')).map((l) => l.slice(3).trim());
}

export interface RunContext {
  /** Where the commands ran. */
  cwd: string;
  report: () => AnalysisReport;
  traces: () => Trace[];
  state: () => LabState;
}

const unquote = (v: string): string => v.replace(/^`|`$/g, '');
const rootOf = (t: Trace) => t.spans.find((s) => !s.parentSpanId || !t.spans.some((p) => p.spanId === s.parentSpanId));
const requestRoots = (traces: Trace[]) => traces.map(rootOf).filter((r) => r?.service === 'gateway' && r.kind === 'server');

function trace(ctx: RunContext, id: string): Trace {
  const t = ctx.traces().find((x) => x.traceId === id);
  if (!t) throw new Error(`no trace ${id} among the ${ctx.traces().length} traces`);
  return t;
}

interface OverheadSummary {
  config: string;
  spansPerRequest: number;
  cpuRatio: number;
  saturatedCpuRatio: number;
}
function overhead(ctx: RunContext, config: string): OverheadSummary {
  const file = join(ctx.cwd, '.mltrace', 'overhead', 'overhead-latest.json');
  if (!existsSync(file)) throw new Error(`no ${file}`);
  const s = (JSON.parse(readFileSync(file, 'utf8')) as { summaries: OverheadSummary[] }).summaries.find((x) => x.config === config);
  if (!s) throw new Error(`no ${config} in ${file}`);
  return s;
}

type Check = ((m: RegExpMatchArray, value: string, ctx: RunContext) => { ok: boolean; seen: string }) & { readsTraces?: true };

/** A check that reads the run's traces, not only its report (so a run whose page has none need not load them). */
const readingTraces = (check: Check): Check => Object.assign(check, { readsTraces: true as const });

/** Each kind of finding a page may state, and how the report proves it. A row no pattern knows fails the test. */
export const FINDING_CHECKS: Array<[RegExp, Check]> = [
  // Checked by running `mltrace lab answer <value> --traces DIR` (labs.test.ts).
  [/^lab answer$/, () => ({ ok: true, seen: 'see mltrace lab answer' })],
  [/^first on the critical path$/, (_m, v, c) => {
    const s = c.report().criticalPath.byService[0]?.service ?? '(none)';
    return { ok: s === unquote(v), seen: s };
  }],
  [/^top bottleneck$/, (_m, v, c) => {
    const b = c.report().bottlenecks.ranked[0];
    const seen = b ? `${b.service}: ${b.operation}` : '(none)';
    return { ok: seen === unquote(v), seen };
  }],
  [/^recommendation$/, (_m, v, c) => {
    const [, id, target] = /^`([^`]+)` on `([^`]+)`$/.exec(v) ?? [];
    const recs = c.report().recommendations;
    return { ok: recs.some((r) => r.id === id && r.target === target), seen: recs.map((r) => `${r.id} on ${r.target}`).join('; ') || '(none)' };
  }],
  [/^no recommendation$/, (_m, v, c) => {
    const recs = c.report().recommendations;
    return { ok: !recs.some((r) => r.id === unquote(v)), seen: recs.map((r) => r.id).join(', ') || '(none)' };
  }],
  [/^hop at fault$/, (_m, v, c) => {
    const hop = c.report().completeness.hopAtFault;
    return { ok: hop === unquote(v), seen: String(hop) };
  }],
  [/^slowest slice$/, (_m, v, c) => {
    const s = c.report().slices.slowSlices[0]?.label ?? '(none)';
    return { ok: s === unquote(v), seen: s };
  }],
  [/^error origin$/, (_m, v, c) => {
    const [, where, type] = /^`([^`]+)` \(`([^`]+)`\)$/.exec(v) ?? [];
    const o = c.report().errors.origins[0];
    const seen = o ? `${o.service}: ${o.operation} (${o.type})` : '(none)';
    return { ok: seen === `${where} (${type})`, seen };
  }],
  [/^failed traces$/, (_m, v, c) => {
    const n = c.report().errors.failedTraces;
    return { ok: v === 'none' ? n === 0 : v === 'some' ? n > 0 : false, seen: String(n) };
  }],
  [/^services in trace `(\w+)`$/, readingTraces((m, v, c) => {
    const seen = [...new Set(trace(c, m[1] as string).spans.map((s) => s.service))].sort().join(', ');
    return { ok: seen === v.split(', ').sort().join(', '), seen };
  })],
  [/^spans in trace `(\w+)`$/, readingTraces((m, v, c) => {
    const n = trace(c, m[1] as string).spans.length;
    return { ok: n === Number(v), seen: String(n) };
  })],
  [/^`([\w.]+)` on every span of trace `(\w+)`$/, readingTraces((m, v, c) => {
    const values = trace(c, m[2] as string).spans.map((s) => String(s.attributes[m[1] as string]));
    return { ok: values.every((x) => x === v), seen: [...new Set(values)].join(', ') };
  })],
  [/^parent of the root of trace `(\w+)`$/, readingTraces((m, v, c) => {
    const p = rootOf(trace(c, m[1] as string))?.parentSpanId ?? '(none)';
    return { ok: p === v, seen: p };
  })],
  [/^v2 against v1 for `business\.customer_segment=enterprise`$/, readingTraces((_m, v, c) => {
    const check = checksFor('model-regression', c.report(), c.traces())[0];
    return { ok: (v === 'slower') === check?.holds, seen: check?.seen ?? '' };
  })],
  [/^v2's gap over v1 for the other segments$/, readingTraces((_m, v, c) => {
    const check = checksFor('model-regression', c.report(), c.traces())[1];
    return { ok: (v === 'under half the gap for enterprise') === check?.holds, seen: check?.seen ?? '' };
  })],
  [/^sampling rule of the `priority=(\w+)` roots$/, readingTraces((m, v, c) => {
    const rules = requestRoots(c.traces())
      .filter((r) => r?.attributes['business.priority'] === m[1])
      .map((r) => String(r?.attributes['mltrace.sampling.rule']));
    return { ok: rules.length > 0 && rules.every((r) => r === unquote(v)), seen: [...new Set(rules)].join(', ') || '(no such roots)' };
  })],
  [/^traces kept$/, readingTraces((_m, v, c) => {
    const kept = requestRoots(c.traces()).length;
    const sent = c.state().load?.sent ?? 0;
    return { ok: v === 'fewer than the requests sent' && kept < sent, seen: `${kept} kept of ${sent}` };
  })],
  [/^sampling-corrected requests$/, (_m, v, c) => {
    const est = c.report().performance.throughput.estimated.requests;
    const sent = c.state().load?.sent ?? 0;
    return { ok: v === 'within 50 % of the requests sent' && Math.abs(est - sent) <= 0.5 * sent, seen: `${est.toFixed(0)} estimated, ${sent} sent` };
  }],
  [/^knee$/, (_m, v, c) => {
    const { knee: k, kneeNote, loadBands } = c.report().capacity;
    const bands = loadBands.map((b) => `${b.meanRate.toFixed(0)}/s ${b.buckets}×${b.requests} ${(b.meanLatencyUs / 1000).toFixed(1)} ms`).join(', ');
    return { ok: v === 'found' && k !== null, seen: k ? `at ${k.rate.toFixed(1)}/s` : `none (${kneeNote ?? 'no band past the ratio'}; bands ${bands})` };
  }],
  [/^load bands$/, (_m, v, c) => {
    // The busier half of the bands (they come sorted by rate) against the quieter half, by mean latency.
    const b = c.report().capacity.loadBands;
    const mean = (xs: typeof b): number => xs.reduce((s, x) => s + x.meanLatencyUs * x.requests, 0) / Math.max(1, xs.reduce((s, x) => s + x.requests, 0));
    const half = Math.floor(b.length / 2);
    return {
      ok: v === 'latency grows with the rate' && b.length >= 2 && mean(b.slice(half)) > mean(b.slice(0, half)),
      seen: b.map((x) => `${x.meanRate.toFixed(0)}/s ${(x.meanLatencyUs / 1000).toFixed(1)} ms`).join(', '),
    };
  }],
  [/^spans per request at `([\w-]+)`$/, (m, v, c) => {
    const s = overhead(c, m[1] as string);
    const ok = /^\d+$/.test(v) ? Math.round(s.spansPerRequest) === Number(v) : v === 'fewer than at `head-100`' && s.spansPerRequest < overhead(c, 'head-100').spansPerRequest;
    return { ok, seen: s.spansPerRequest.toFixed(2) };
  }],
  [/^CPU per request at `([\w-]+)` against `off`$/, (m, v, c) => {
    const s = overhead(c, m[1] as string);
    // Saturated and paired slice by slice with off: the open loop's single short run can flip on a busy machine.
    return { ok: v === 'more' && s.saturatedCpuRatio > 1, seen: `× ${s.saturatedCpuRatio} saturated, × ${s.cpuRatio} at the open-loop rate` };
  }],
];

/** True when a check of the page's Findings reads the run's traces (see readingTraces). */
export function readsTraces(page: string): boolean {
  return findings(page).some((f) => FINDING_CHECKS.find(([re]) => re.test(f.key))?.[1].readsTraces === true);
}

/**
 * RunContext.traces for traces loaded only when readsTraces(page) said a finding needs them
 * (`loaded()` is undefined otherwise): a check that reads them anyway fails loudly.
 */
export function tracesIfLoaded(label: string, loaded: () => Trace[] | undefined): () => Trace[] {
  return () => {
    const traces = loaded();
    if (!traces) throw new Error(`${label}: a check read the traces, but readsTraces() said the page needs none (or the lab sends no traffic)`);
    return traces;
  };
}

/**
 * The page's Findings that `ctx` contradicts (empty: all hold). A `lab answer` row runs `mltrace
 * lab answer <scenario> --traces <source>`, which must accept it.
 */
export async function wrongFindings(page: string, ctx: RunContext, source: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const wrong: string[] = [];
  for (const f of findings(page)) {
    if (f.key === 'lab answer') {
      const scenario = f.value.replace(/`/g, '');
      const a = await run(process.execPath, [MLTRACE_BIN, 'lab', 'answer', scenario, '--traces', source], { env, cwd: ctx.cwd });
      if (a.code !== 0) wrong.push(`mltrace lab answer ${scenario} --traces … refused it:\n${a.stdout}${a.stderr}`);
      continue;
    }
    const [re, check] = FINDING_CHECKS.find(([r]) => r.test(f.key)) ?? [];
    if (!re || !check) throw new Error(`no check for ${f.key}`);
    const { ok, seen } = check(f.key.match(re) as RegExpMatchArray, f.value, ctx);
    if (!ok) wrong.push(`${f.key}: the page says ${f.value}, the run shows ${seen}`);
  }
  return wrong;
}
