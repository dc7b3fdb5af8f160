import type { GatewayScenario } from './types';

/** sequential-calls: the two independent feature-store lookups are awaited one after the other. */
export function callsInSequence(scenario: GatewayScenario | null): boolean {
  return scenario === 'sequential-calls';
}

/** dropped-context: the call to postprocess leaves the request's context (no traceparent, no baggage). */
export function dropsPostprocessContext(scenario: GatewayScenario | null): boolean {
  return scenario === 'dropped-context';
}
