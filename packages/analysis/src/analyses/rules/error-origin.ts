/**
 * `error-origin`: most failed requests start failing in one place. At least MIN_FAILED failed
 * requests (a request fails when its entry span does; rejections and handled errors never count),
 * an error rate of at least MIN_ERROR_RATE, and one origin explaining at least MIN_ORIGIN_SHARE of
 * them. An origin that is a client call nobody answered names the callee; one that consumed the
 * budget of a span that gave up (a proxy's 504) names that span too.
 */
import { pct, type Recommendation, type RuleInput } from './common';

export const MIN_FAILED = 5;
export const MIN_ERROR_RATE = 0.01;
export const MIN_ORIGIN_SHARE = 0.5;

export function errorOrigin({ traces, findings }: RuleInput): Recommendation[] {
  const e = findings.errors;
  const origin = e.origins[0];
  if (!origin || e.failedTraces < MIN_FAILED || e.errorRate < MIN_ERROR_RATE || origin.share < MIN_ORIGIN_SHARE) return [];
  const where = origin.unansweredCallee ? `${origin.service} → ${origin.unansweredCallee} (unanswered)` : `${origin.service}: ${origin.operation}`;
  const action = origin.unansweredCallee
    ? `${origin.unansweredCallee} did not answer ${origin.service}'s calls (${origin.type}): check that it is up and reachable; the failure propagates through ${origin.exampleChain.join(' → ')}.`
    : origin.gaveUpBy
      ? `${origin.gaveUpBy} gave up waiting (${origin.type}) while ${origin.service}: ${origin.operation} used its whole time budget: make ${origin.service} faster or give it a deadline shorter than its caller's.`
      : `Fix ${origin.service} (${origin.type}); the failure propagates through ${origin.exampleChain.join(' → ')}.`;
  return [
    {
      id: 'error-origin',
      title: 'Most failures start in one place',
      target: where,
      action,
      evidence: {
        service: origin.service,
        ...(origin.unansweredCallee ? { unansweredCallee: origin.unansweredCallee } : {}),
        ...(origin.gaveUpBy ? { gaveUpBy: origin.gaveUpBy } : {}),
        operation: origin.operation,
        errorType: origin.type,
        failedTraces: origin.traces,
        shareOfFailures: pct(origin.share),
        errorRate: pct(e.errorRate),
        exampleTraceId: origin.exampleTraceId,
      },
      examples: { traceIds: origin.exampleTraceIds, spanIds: [origin.exampleSpanId] },
      estimatedGain: { value: origin.traces, unit: 'failed requests avoided', description: 'failed requests whose failure starts here' },
      impact: traces.length ? origin.traces / traces.length : 0,
    },
  ];
}
