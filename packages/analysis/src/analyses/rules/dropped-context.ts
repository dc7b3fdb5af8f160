/**
 * `dropped-context`: the hop at fault (completeness.ts) has at least MIN_BROKEN broken calls, and
 * they are at least MIN_BROKEN_SHARE of its calls. Gain: the traces that would be whole.
 */
import { pct, type Recommendation, type RuleInput } from './common';

export const MIN_BROKEN = 3;
export const MIN_BROKEN_SHARE = 0.05;

export function droppedContext({ traces, findings }: RuleInput): Recommendation[] {
  const c = findings.completeness;
  const faulty = c.hops.find((h) => h.hop === c.hopAtFault);
  if (!faulty) return [];
  const share = faulty.broken / Math.max(1, faulty.calls + faulty.traceContextLost);
  if (faulty.broken < MIN_BROKEN || share < MIN_BROKEN_SHARE) return [];
  return [
    {
      id: 'dropped-context',
      title: 'A hop drops trace context or baggage',
      target: faulty.hop,
      action: `Fix context propagation on ${faulty.hop}: ${faulty.from} must send traceparent and baggage headers (use the instrumented client, do not build headers by hand).`,
      evidence: {
        hop: faulty.hop,
        splitTraces: faulty.traceContextLost,
        callsMissingContext: faulty.contextLost,
        missingKeys: faulty.missingKeys.map((k) => k.key).join(', ') || '(all: trace context lost)',
        brokenShare: pct(share),
        completenessScore: Math.round(c.score * 1000) / 1000,
      },
      examples: { traceIds: faulty.exampleTraceIds ?? [] },
      estimatedGain: { value: faulty.broken, unit: 'traces made whole', description: 'requests whose trace would be complete with their ML context' },
      impact: Math.min(1, faulty.broken / Math.max(1, traces.length)),
    },
  ];
}
