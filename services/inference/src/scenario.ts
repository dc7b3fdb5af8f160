import type { InferenceScenario } from './types';

/** model-regression: this version, for this baggage customer_segment, pays REGRESSION_DELAY_MS. */
export const REGRESSION_VERSION = 'v2';
export const REGRESSION_SEGMENT = 'enterprise';
export const REGRESSION_DELAY_MS = 60;

/**
 * Extra time a prediction spends on its slow path: the planted regression of
 * a new model version that is only slow for one customer slice, so it hides
 * in overall latency and shows up only when traces are sliced by segment.
 */
export function regressionDelayMs(scenario: InferenceScenario | null, version: string, segment: string | undefined): number {
  return scenario === 'model-regression' && version === REGRESSION_VERSION && segment === REGRESSION_SEGMENT ? REGRESSION_DELAY_MS : 0;
}
