/**
 * `slow-slice`: the MAX_SLICES slowest slices found by slices.ts (its thresholds: mean ≥ 1.3 × the
 * rest, Mann–Whitney p < 0.001, enough traces on each side). Gain: the mean excess per request.
 */
import { ms, type Recommendation, type RuleInput } from './common';

export const MAX_SLICES = 3;

export function slowSlice({ findings, totalE2e }: RuleInput): Recommendation[] {
  return findings.slices.slowSlices.slice(0, MAX_SLICES).map((s) => ({
    id: 'slow-slice' as const,
    title: 'A slice is much slower than the rest',
    target: s.label,
    action: `Investigate ${s.label}: compare it with the rest (mltrace compare --compare) and look at its critical path.`,
    evidence: { slice: s.label, traces: s.traces, meanMs: ms(s.meanUs), restMeanMs: ms(s.restMeanUs), ratio: Math.round(s.ratio * 100) / 100, p50Ms: ms(s.p50Us), restP50Ms: ms(s.restP50Us), pValue: s.pValue },
    examples: { traceIds: s.exampleTraceIds ?? [] },
    estimatedGain: { value: ms(s.meanExcessUs), unit: 'ms per request in the slice', description: 'mean excess latency over the other traces' },
    impact: totalE2e > 0 ? Math.max(0, (s.meanExcessUs * s.traces) / totalE2e) : 0,
  }));
}
