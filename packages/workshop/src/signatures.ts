/**
 * What each scenario looks like in `mltrace analyze`'s report: the finding that gives it away,
 * and the findings that tell it apart from its neighbours (slow-features and hot-partition both
 * make the feature store the bottleneck; only hot-partition makes one region the slow slice).
 * `mltrace lab answer` judges a diagnosis with these, and says what the traces show.
 */
import { compareGroups, filterTraces, type AnalysisReport, type Recommendation, type Trace } from '@mltrace/analysis';
import { SCENARIO_NAMES, SCENARIOS, type ScenarioName } from '@mltrace/scenarios';

export interface Check {
  /** What was looked for, in the report's words. */
  what: string;
  holds: boolean;
  /** What the report actually says about it. */
  seen: string;
}

const pct = (x: number): string => `${(x * 100).toFixed(0)} %`;

function rec(report: AnalysisReport, id: string): Recommendation | undefined {
  return report.recommendations.find((r) => r.id === id);
}

function recCheck(report: AnalysisReport, id: string, target?: (t: string) => boolean): Check {
  const r = rec(report, id);
  const holds = r !== undefined && (target ? target(r.target) : true);
  return { what: `recommendation ${id}`, holds, seen: r ? `${id} on ${r.target}` : `no ${id} recommendation` };
}

function noRec(report: AnalysisReport, id: string): Check {
  const r = rec(report, id);
  return { what: `no ${id} recommendation`, holds: r === undefined, seen: r ? `${id} on ${r.target}` : `no ${id}` };
}

function topSlice(report: AnalysisReport): AnalysisReport['slices']['slowSlices'][number] | undefined {
  return report.slices.slowSlices[0];
}

function sliceCheck(report: AnalysisReport, want: Record<string, string>): Check {
  const top = topSlice(report);
  const holds = top !== undefined && Object.entries(want).every(([k, v]) => top.conditions[k] === v) && Object.keys(top.conditions).length === Object.keys(want).length;
  const label = Object.entries(want).map(([k, v]) => `${k}=${v}`).join(' ∧ ');
  return { what: `slowest slice ${label}`, holds, seen: top ? `slowest slice ${top.label} (×${top.ratio.toFixed(2)})` : 'no slow slice' };
}

function noRegionSlice(report: AnalysisReport): Check {
  const s = report.slices.slowSlices.find((x) => x.conditions['business.region'] !== undefined);
  return { what: 'no region among the slow slices', holds: s === undefined, seen: s ? `slow slice ${s.label}` : 'no region slice' };
}

function criticalPathTop(report: AnalysisReport, service: string): Check {
  const top = report.criticalPath.byService[0];
  return {
    what: `${service} first on the critical path`,
    holds: top?.service === service,
    seen: top ? `${top.service} first on the critical path (${pct(top.shareOfTotal)} of end-to-end time)` : 'no critical path',
  };
}

/** Fewer traces per group than this say nothing either way. */
const MIN_GROUP = 5;
/** A version counts as slower when its median end-to-end latency is this many times the other's. */
const SLOWER = 1.5;

/**
 * v2 against v1 inside (or outside) one segment: the slice analysis may list the segment alone as
 * slow (it is, on average), so the comparison within it is what tells a model regression apart.
 */
function versionRatio(traces: readonly Trace[], segment: string, inside: boolean, from: string, to: string): { ratio: number; n: number } {
  const inSegment = new Set(filterTraces(traces, { where: [{ key: 'business.customer_segment', value: segment }] }));
  const pick = (version: string): Trace[] => filterTraces(traces, { where: [{ key: 'ml.model.version', value: version }] }).filter((t) => inSegment.has(t) === inside);
  const a = pick(from);
  const b = pick(to);
  const n = Math.min(a.length, b.length);
  return { ratio: n >= MIN_GROUP ? compareGroups(from, a, to, b).latency.p50Ratio : NaN, n };
}

function regressionChecks(traces: readonly Trace[]): Check[] {
  const { version, segment }: { version: string; segment: string } = SCENARIOS['model-regression'].settings;
  const other = version === 'v1' ? 'v2' : 'v1';
  const inside = versionRatio(traces, segment, true, other, version);
  const outside = versionRatio(traces, segment, false, other, version);
  const fmt = (r: { ratio: number; n: number }): string => (Number.isNaN(r.ratio) ? `too few traces (${r.n})` : `×${r.ratio.toFixed(2)}`);
  return [
    { what: `${version} slower than ${other} for ${segment}`, holds: inside.ratio >= SLOWER, seen: `for ${segment}, ${version}'s median latency is ${fmt(inside)} ${other}'s` },
    { what: `${version} not slower elsewhere`, holds: outside.ratio < SLOWER, seen: `for the other segments, ${version}'s median latency is ${fmt(outside)} ${other}'s` },
  ];
}

/** The checks that together say "this is `name`" (the report, and the traces it came from). */
export function checksFor(name: ScenarioName, report: AnalysisReport, traces: readonly Trace[]): Check[] {
  switch (name) {
    case 'slow-features':
      return [recCheck(report, 'feature-store-dominates', (t) => t === 'feature-store'), noRegionSlice(report), noRec(report, 'redis-n-plus-one')];
    case 'hot-partition':
      return [sliceCheck(report, { 'business.region': SCENARIOS['hot-partition'].settings.region }), criticalPathTop(report, 'feature-store')];
    case 'n-plus-one':
      return [recCheck(report, 'redis-n-plus-one', (t) => t.startsWith('feature-store: '))];
    case 'cold-model':
      return [recCheck(report, 'model-reloaded', (t) => t === 'inference: model_load')];
    case 'model-regression':
      return regressionChecks(traces);
    case 'sequential-calls':
      return [recCheck(report, 'sequential-calls', (t) => t.startsWith('gateway: '))];
    case 'flaky-postprocess': {
      const o = report.errors.origins[0];
      return [
        {
          what: 'failures starting in postprocess',
          holds: o?.service === 'postprocess',
          seen: o ? `${report.errors.failedTraces} failed traces, most starting at ${o.service}: ${o.operation} (${o.type})` : 'no failed traces',
        },
      ];
    }
    case 'dropped-context': {
      const hop = report.completeness.hopAtFault;
      return [{ what: 'the hop gateway→postprocess drops context', holds: hop === 'gateway→postprocess', seen: hop ? `hop at fault: ${hop}` : 'no hop drops context' }];
    }
  }
}

/** The scenarios whose every check holds on this report. */
export function scenariosShown(report: AnalysisReport, traces: readonly Trace[]): ScenarioName[] {
  return SCENARIO_NAMES.filter((n) => checksFor(n, report, traces).every((c) => c.holds));
}

/**
 * What the report shows, in a few lines, without naming a scenario: the leading findings a
 * learner should have looked at (critical path, bottleneck, errors, context, slices, advice).
 */
export function whatTracesShow(report: AnalysisReport): string[] {
  const lines: string[] = [];
  const cp = report.criticalPath.byService[0];
  if (cp) lines.push(`critical path: ${cp.service} first, ${pct(cp.shareOfTotal)} of end-to-end time`);
  const b = report.bottlenecks.ranked[0];
  if (b) lines.push(`top bottleneck (self time): ${b.service}: ${b.operation}`);
  const o = report.errors.origins[0];
  lines.push(o ? `errors: ${report.errors.failedTraces} failed traces, origin ${o.service}: ${o.operation} (${o.type})` : 'errors: none');
  lines.push(`context: ${report.completeness.hopAtFault ? `the hop ${report.completeness.hopAtFault} breaks traces` : 'every hop keeps the trace together'}`);
  const s = topSlice(report);
  lines.push(s ? `slowest slice: ${s.label} (×${s.ratio.toFixed(2)} the rest)` : 'slices: none notably slower');
  lines.push(`recommendations: ${report.recommendations.map((r) => `${r.id} (${r.target})`).join(', ') || 'none'}`);
  return lines;
}
