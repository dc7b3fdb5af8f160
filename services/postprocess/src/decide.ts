import { InvalidPredictionError } from './errors';
import type { Decision, ModelOutput, RiskTier, Thresholds } from './types';

/** Churn probability below LOW_RISK_BELOW is `low`, at or above HIGH_RISK_FROM `high`, else `medium`. */
export const LOW_RISK_BELOW = 0.3;
export const HIGH_RISK_FROM = 0.7;
/** float32 model outputs do not sum to exactly 1. */
const PROBABILITY_SUM_TOLERANCE = 0.01;

/**
 * The segment's own threshold, else the default. Only the table's own entries count: a segment
 * named after an inherited property (`constructor`, `__proto__`, `toString`) is an unknown segment,
 * not a function or an object where a number belongs.
 */
export function thresholdFor(thresholds: Thresholds, segment: string | null): number {
  const own = segment !== null && Object.hasOwn(thresholds, segment) ? thresholds[segment] : undefined;
  return typeof own === 'number' ? own : thresholds.default;
}

export function riskTier(probability: number): RiskTier {
  if (probability < LOW_RISK_BELOW) return 'low';
  return probability >= HIGH_RISK_FROM ? 'high' : 'medium';
}

/** Four decimals are plenty for a decision and keep responses small. */
function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

/** Checks what the schema cannot (probabilities form a distribution), naming the offending field. */
export function checkOutputs(outputs: readonly ModelOutput[]): void {
  outputs.forEach((o, i) => {
    const sum = o.probabilities.reduce((a, b) => a + b, 0);
    if (Math.abs(sum - 1) > PROBABILITY_SUM_TOLERANCE) {
      throw new InvalidPredictionError(`body/predictions/${i}/probabilities must sum to 1 (got ${round4(sum)})`);
    }
  });
}

/** Applies the segment's threshold: churn when p(churn) ≥ threshold. */
export function decide(outputs: readonly ModelOutput[], threshold: number): Decision[] {
  return outputs.map((o) => {
    const probability = o.probabilities[1] as number;
    return {
      entity: o.entity ?? null,
      label: probability >= threshold ? 'churn' : 'retain',
      probability: round4(probability),
      confidence: round4(o.confidence),
      tier: riskTier(probability),
    };
  });
}
