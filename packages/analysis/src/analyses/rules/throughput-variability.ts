/**
 * `throughput-variability`: bursty arrivals. At least MIN_BUCKETS buckets and MIN_TRACES requests,
 * a mean of at least MIN_MEAN_RATE requests/s (a handful of traces scattered over days is no load
 * pattern) and a coefficient of variation of the per-bucket counts of at least MIN_CV.
 * Gain: the share of peak capacity a smoothed (mean-rate) load would not need; impact is half of it
 * (it buys capacity, not latency).
 */
import { pct, type Recommendation, type RuleInput } from './common';

export const MIN_BUCKETS = 10;
export const MIN_TRACES = 50;
export const MIN_MEAN_RATE = 1;
export const MIN_CV = 0.75;

export function throughputVariability({ traces, findings }: RuleInput): Recommendation[] {
  const tp = findings.performance.throughput;
  if (tp.counts.length < MIN_BUCKETS || tp.cv < MIN_CV || tp.meanRate < MIN_MEAN_RATE || traces.length < MIN_TRACES) return [];
  const freed = (tp.peakRate - tp.meanRate) / tp.peakRate;
  return [
    {
      id: 'throughput-variability',
      title: 'Bursty throughput',
      target: 'throughput',
      action: 'Smooth bursts: batch requests (micro-batching, request coalescing at the entry) or queue them, and size for the mean rate plus headroom.',
      evidence: { cv: Math.round(tp.cv * 100) / 100, meanRate: Math.round(tp.meanRate * 10) / 10, peakRate: Math.round(tp.peakRate * 10) / 10, buckets: tp.counts.length, bucketMs: tp.bucketMs },
      examples: { traceIds: [] },
      estimatedGain: { value: pct(freed), unit: '% of peak capacity', description: 'capacity needed at the peak rate that a smoothed (mean-rate) load would not need' },
      impact: freed / 2,
    },
  ];
}
