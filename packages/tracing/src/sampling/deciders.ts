import { RatioMeter, TokenBucket } from './rate-limiter';
import { traceIdRatioSampled } from './trace-id-ratio';
import type { RuleSpec } from './types';

export interface Verdict {
  sampled: boolean;
  /** The probability to record; undefined when not known yet. */
  probability: number | undefined;
  /** Which mechanism decided: 'probabilistic', 'ratelimiting' or 'lowerbound'. */
  how: string;
}

/** A RuleSpec with its runtime state (token buckets, meters). */
export interface Decider {
  readonly spec: RuleSpec;
  decide(traceId: string): Verdict;
}

export function createDecider(spec: RuleSpec, clock: () => number): Decider {
  switch (spec.kind) {
    case 'probabilistic':
      return {
        spec,
        decide: (traceId) => ({ sampled: traceIdRatioSampled(traceId, spec.probability), probability: spec.probability, how: 'probabilistic' }),
      };
    case 'ratelimiting': {
      const bucket = new TokenBucket(spec.tracesPerSecond, clock);
      const meter = new RatioMeter(clock);
      return {
        spec,
        decide: () => {
          const sampled = bucket.trySpend();
          meter.record(sampled);
          return { sampled, probability: meter.ratio(), how: 'ratelimiting' };
        },
      };
    }
    case 'guaranteed': {
      // Jaeger's guaranteed-throughput sampler: the probabilistic decision, plus a
      // lower-bound limiter that every kept trace draws on, so quiet operations
      // still get `lowerBound` traces per second.
      const lower = new TokenBucket(spec.lowerBound, clock);
      const meter = new RatioMeter(clock);
      return {
        spec,
        decide: (traceId) => {
          if (traceIdRatioSampled(traceId, spec.probability)) {
            lower.trySpend();
            meter.record(true);
            return { sampled: true, probability: spec.probability, how: 'probabilistic' };
          }
          const sampled = lower.trySpend();
          meter.record(sampled);
          return { sampled, probability: meter.ratio(), how: 'lowerbound' };
        },
      };
    }
  }
}

export function sameSpec(a: RuleSpec, b: RuleSpec): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
