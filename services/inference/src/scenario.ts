import { SCENARIOS } from '@mltrace/scenarios';
import type { InferenceScenario } from './types';

// The settings live in @mltrace/scenarios' table.
/** model-regression: this version, for this baggage customer_segment, pays REGRESSION_DELAY_MS. */
export const REGRESSION_VERSION: string = SCENARIOS['model-regression'].settings.version;
export const REGRESSION_SEGMENT: string = SCENARIOS['model-regression'].settings.segment;
export const REGRESSION_DELAY_MS: number = SCENARIOS['model-regression'].settings.delayMs;

/** cold-model: the model is loaded afresh for every prediction instead of once at start. */
export function loadsPerRequest(scenario: InferenceScenario | null): boolean {
  return scenario === 'cold-model';
}

/**
 * Extra time a prediction spends on its slow path: the planted regression of
 * a new model version that is only slow for one customer slice, so it hides
 * in overall latency and shows up only when traces are sliced by segment.
 */
export function regressionDelayMs(scenario: InferenceScenario | null, version: string, segment: string | undefined): number {
  return scenario === 'model-regression' && version === REGRESSION_VERSION && segment === REGRESSION_SEGMENT ? REGRESSION_DELAY_MS : 0;
}
