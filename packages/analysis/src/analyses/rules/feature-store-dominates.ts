/**
 * `feature-store-dominates` (only when the system has a feature store: mltrace's own traces, or
 * `featureStoreService` configured): on the critical path, the feature store's own spans hold at
 * least OWN_SHARE of all end-to-end time, or its spans plus the calls waiting on it
 * (`criticalPath.byCallee`) at least WITH_CALLS_SHARE; and at least P95_SHARE in the slowest traces
 * (p95). A feature store that is merely the biggest hop of a fast pipeline does not dominate.
 * Gain: the end-to-end saving if it were X % faster.
 */
import { ms, pct, type Recommendation, type RuleInput } from './common';

export const OWN_SHARE = 0.4;
export const WITH_CALLS_SHARE = 0.5;
export const P95_SHARE = 0.6;
export const MIN_TRACES = 5;

export function featureStoreDominates({ traces, findings, topology }: RuleInput): Recommendation[] {
  const fsName = topology.featureStoreService;
  if (fsName === undefined || traces.length < MIN_TRACES) return [];
  const fs = findings.criticalPath.byService.find((s) => s.service === fsName);
  const fsCalls = findings.criticalPath.byCallee.find((s) => s.service === fsName);
  if (!fs || !fsCalls) return [];
  const own = fs.shareOfTotal >= OWN_SHARE && fs.shareP95 >= P95_SHARE;
  const withCalls = fsCalls.shareOfTotal >= WITH_CALLS_SHARE && fsCalls.shareP95 >= P95_SHARE;
  if (!own && !withCalls) return [];
  return [
    {
      id: 'feature-store-dominates',
      title: 'The feature store dominates the critical path',
      target: fsName,
      action: `Cache features close to the caller (or in ${fsName} in front of its backend) and look at what makes ${fsName} slow in the bottleneck table.`,
      evidence: {
        criticalPathShare: pct(fs.shareOfTotal),
        shareP50: pct(fs.shareP50),
        shareP95: pct(fs.shareP95),
        shareWithCallsToIt: pct(fsCalls.shareOfTotal),
        shareWithCallsP95: pct(fsCalls.shareP95),
        meanCriticalPathMs: ms(fs.meanTime),
        traces: fs.traces,
      },
      examples: { traceIds: fs.exampleTraceIds ?? [] },
      estimatedGain: {
        value: ms(fs.saving.meanUs),
        unit: 'ms per request',
        description: `end-to-end saving if ${fsName} were ${findings.criticalPath.speedupPercent}% faster (first-order critical-path estimate)`,
      },
      impact: fs.saving.meanShare,
    },
  ];
}
