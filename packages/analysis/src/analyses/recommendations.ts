/**
 * 10. Recommendations: rules over the findings, one function per rule in `rules/`, each with its
 * thresholds as named constants. Every recommendation carries the numbers that triggered it
 * (`evidence`), the traces and spans it is about (`examples`), an estimated gain, and an `impact`
 * in [0, 1] used for sorting:
 * - latency rules: estimated time saved / total end-to-end time of all requests;
 * - error-origin: failed requests it explains / requests;
 * - dropped-context: broken traces / traces;
 * - throughput-variability: ½ × the share of peak capacity that smoothing to the mean rate
 *   would free (halved because it buys capacity, not latency).
 * Rule ids are stable (tests and scripts match on them).
 */
import type { Trace } from '../model';
import type { AnalysisOptions } from './options';
import { droppedContext } from './rules/dropped-context';
import { errorOrigin } from './rules/error-origin';
import { featureStoreDominates } from './rules/feature-store-dominates';
import { modelReloaded } from './rules/model-reloaded';
import { nPlusOne } from './rules/n-plus-one';
import { sequentialCalls } from './rules/sequential-calls';
import { slowSlice } from './rules/slow-slice';
import { throughputVariability } from './rules/throughput-variability';
import type { Findings, Recommendation, RuleInput } from './rules/common';
import { resolveTopology } from './topology';

export type { FindingExamples, Findings, Recommendation, RuleId } from './rules/common';
export { roundTrips, START_QUANTUM_US } from './rules/round-trips';

const RULES: ReadonlyArray<(input: RuleInput) => Recommendation[]> = [
  modelReloaded,
  nPlusOne,
  sequentialCalls,
  featureStoreDominates,
  throughputVariability,
  droppedContext,
  slowSlice,
  errorOrigin,
];

/** `traces`: the requests the findings were computed over (see requests.ts). */
export function recommendations(traces: readonly Trace[], findings: Findings, opts: AnalysisOptions = {}): Recommendation[] {
  const input: RuleInput = { traces, findings, opts, topology: resolveTopology(traces, opts), totalE2e: findings.criticalPath.totalEndToEnd };
  return RULES.flatMap((rule) => rule(input)).sort((a, b) => b.impact - a.impact);
}
