/**
 * What each scenario looks like in `mltrace analyze`'s report: the finding that gives it away,
 * and the findings that tell it apart from its neighbours (slow-features and hot-partition both
 * make the feature store the bottleneck; only hot-partition makes one region the slow slice).
 * `mltrace lab answer` judges a diagnosis with these, and says what the traces show.
 */
import { filterTraces, type AnalysisReport, type Recommendation, type Trace } from '@mltrace/analysis';
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

function noRegionSlice(report: AnalysisReport): Check {
  const s = report.slices.slowSlices.find((x) => x.conditions['business.region'] !== undefined);
  return { what: 'no region among the slow slices', holds: s === undefined, seen: s ? `slow slice ${s.label}` : 'no region slice' };
}

/** Fewer traces per group than this say nothing either way. */
const MIN_GROUP = 5;

function median(xs: number[]): number {
  const v = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2;
}

/**
 * v2 against v1 inside (or outside) one segment, on the span where the model runs: the slice
 * analysis may list the segment alone as slow (it is, on average), and on a busy machine queueing
 * in front of the services can drown a 60 ms gap in end-to-end latency; the prediction span's own
 * duration keeps it (`mltrace analyze --where … --compare …` shows the same per-operation p50s).
 */
function versionGap(traces: readonly Trace[], segment: string, inside: boolean, from: string, to: string): { ratio: number; gapMs: number; n: number } {
  const { service, operations } = SCENARIOS['model-regression'];
  const inSegment = new Set(filterTraces(traces, { where: [{ key: 'business.customer_segment', value: segment }] }));
  const durations = (version: string): number[] =>
    filterTraces(traces, { where: [{ key: 'ml.model.version', value: version }] })
      .filter((t) => inSegment.has(t) === inside)
      .flatMap((t) => t.spans.filter((s) => s.service === service && s.name === operations[0]).map((s) => s.duration / 1000));
  const a = durations(from);
  const b = durations(to);
  const n = Math.min(a.length, b.length);
  if (n < MIN_GROUP) return { ratio: NaN, gapMs: NaN, n };
  return { ratio: median(b) / median(a), gapMs: median(b) - median(a), n };
}

/**
 * The regression is v2 slower for the segment, and its extra time mostly there: outside the
 * segment the gap stays under half of it. A gap, not a ratio, outside: v2's slightly heavier model
 * is proportionally slower everywhere, by a little (and cold-model makes v2 slower everywhere by a
 * similar gap).
 */
function regressionChecks(traces: readonly Trace[]): Check[] {
  const { version, segment, delayMs }: { version: string; segment: string; delayMs: number } = SCENARIOS['model-regression'].settings;
  const op = SCENARIOS['model-regression'].operations[0];
  const other = version === 'v1' ? 'v2' : 'v1';
  const inside = versionGap(traces, segment, true, other, version);
  const outside = versionGap(traces, segment, false, other, version);
  const fmt = (g: { ratio: number; gapMs: number; n: number }): string =>
    Number.isNaN(g.ratio) ? `too few spans (${g.n})` : `${g.gapMs >= 0 ? '+' : ''}${g.gapMs.toFixed(1)} ms (×${g.ratio.toFixed(2)})`;
  return [
    {
      // v2's model is a little heavier everywhere (sub-millisecond); the planted gap is tens of ms.
      what: `${version} slower than ${other} for ${segment} by ${delayMs / 2} ms or more`,
      holds: inside.gapMs >= delayMs / 2,
      seen: `for ${segment}, ${version}'s median ${op} is ${fmt(inside)} against ${other}'s`,
    },
    {
      what: `${version}'s extra time mostly for ${segment}`,
      holds: !Number.isNaN(outside.gapMs) && outside.gapMs < inside.gapMs / 2,
      seen: `for the other segments, ${version}'s median ${op} is ${fmt(outside)} against ${other}'s`,
    },
  ];
}

function quantile(xs: readonly number[], q: number): number {
  const v = [...xs].sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.floor(q * v.length))] as number;
}

/**
 * The feature-store checks read the spans where the delay is planted, not the critical path: on a
 * CPU-starved machine the gateway's waiting can top the critical path and drown a slice, but it
 * cannot put a fixed 80 ms into one span of 3 in 10 (or into one region's spans only).
 */
const REDIS_BATCH_SPAN = 'BATCH HMGET';

/**
 * slow-features: the Redis spans split in two (bimodal): about `fraction` of them `delayMs` slower
 * than the median, and few in between. A saturated system stretches Redis spans too, but into a
 * continuum, not two clusters.
 */
function slowRedisCheck(traces: readonly Trace[]): Check {
  const { delayMs, fraction } = SCENARIOS['slow-features'].settings;
  const ms = traces.flatMap((t) => t.spans.filter((s) => s.service === 'feature-store' && s.name === REDIS_BATCH_SPAN).map((s) => s.duration / 1000));
  const what = `about ${fraction * 100} % of feature-store ${REDIS_BATCH_SPAN} spans ${delayMs} ms slower than the rest`;
  if (ms.length < MIN_GROUP) return { what, holds: false, seen: `${ms.length} ${REDIS_BATCH_SPAN} spans` };
  const p50 = median(ms);
  const share = (lo: number, hi: number): number => ms.filter((x) => x > lo && x <= hi).length / ms.length;
  const slow = share(p50 + 0.75 * delayMs, Infinity);
  const between = share(p50 + 0.2 * delayMs, p50 + 0.75 * delayMs);
  return {
    what,
    holds: slow >= fraction / 2 && slow <= fraction * 1.7 && between < slow / 2,
    seen: `feature-store ${REDIS_BATCH_SPAN}: median ${p50.toFixed(1)} ms, ${(slow * 100).toFixed(0)} % of the spans ${(0.75 * delayMs).toFixed(0)}+ ms slower, ${(between * 100).toFixed(0)} % in between (the time is inside the Redis call)`,
  };
}

/** Self time of each span named `name` in `service`: its duration minus its children's. */
function selfTimesOf(t: Trace, service: string, name: string): number[] {
  return t.spans
    .filter((s) => s.service === service && s.name === name)
    .map((s) => s.duration - t.spans.filter((c) => c.parentSpanId === s.spanId).reduce((sum, c) => sum + c.duration, 0));
}

/** hot-partition: `feature_extraction`'s own time (before the Redis call) is `delayMs` longer in one region. */
function hotRegionCheck(traces: readonly Trace[]): Check {
  const { region, delayMs } = SCENARIOS['hot-partition'].settings;
  const hot = new Set(filterTraces(traces, { where: [{ key: 'business.region', value: region }] }));
  const own = (inRegion: boolean): number[] => traces.filter((t) => hot.has(t) === inRegion).flatMap((t) => selfTimesOf(t, 'feature-store', 'feature_extraction').map((us) => us / 1000));
  const a = own(true);
  const b = own(false);
  if (Math.min(a.length, b.length) < MIN_GROUP) return { what: `feature_extraction in ${region} against the other regions`, holds: false, seen: `too few spans (${a.length}, ${b.length})` };
  const gap = median(a) - median(b);
  return {
    what: `feature_extraction's own time ${delayMs} ms longer for business.region=${region}`,
    holds: gap >= delayMs / 2,
    seen: `feature_extraction's own time: median ${median(a).toFixed(1)} ms for business.region=${region}, ${median(b).toFixed(1)} ms elsewhere (before the Redis call)`,
  };
}

/** The checks that together say "this is `name`" (the report, and the traces it came from). */
export function checksFor(name: ScenarioName, report: AnalysisReport, traces: readonly Trace[]): Check[] {
  switch (name) {
    case 'slow-features':
      return [slowRedisCheck(traces), noRegionSlice(report), noRec(report, 'redis-n-plus-one')];
    case 'hot-partition':
      return [hotRegionCheck(traces)];
    case 'n-plus-one':
      return [recCheck(report, 'redis-n-plus-one', (t) => t.startsWith('feature-store: '))];
    case 'cold-model':
      return [recCheck(report, 'model-reloaded', (t) => t === 'inference: model_load')];
    case 'model-regression':
      // A model loaded per request makes every prediction slow and noisy: that is cold-model.
      return [...regressionChecks(traces), noRec(report, 'model-reloaded')];
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
