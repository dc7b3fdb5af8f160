/**
 * Jaeger keeps the traces of every lab run since it started (memory storage). Read from a Jaeger
 * URL while a lab here sent its traces to an OTLP endpoint, only that run's traces count: those
 * since its start. A folder of files holds one run already.
 */
import { isUrl, type LoadOptions } from '@mltrace/analysis';
import type { LabState } from './state';

export function loadOptionsFor(source: string, state: LabState | undefined): LoadOptions {
  return isUrl(source) && state?.otlpEndpoint ? { since: Date.parse(state.startedAt) * 1000 } : {};
}
