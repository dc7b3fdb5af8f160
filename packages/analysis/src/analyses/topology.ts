/**
 * What the analyses may assume about the system that produced the traces: where requests enter,
 * which service-to-service edges every request must have, and which calls consume each other's
 * output. mltrace's own pipeline (gateway → feature-store → inference → postprocess) is assumed
 * only when it is configured, or when the traces are recognizably mltrace's own; for anyone
 * else's traces nothing is expected and the entry service is inferred from the roots.
 */
import { ATTR_SERVICE_NAME, ATTR_SERVICE_NAMESPACE } from '@opentelemetry/semantic-conventions';
import type { Trace } from '../model';
import type { AnalysisOptions, ExpectedEdge } from './options';

/** mltrace's four services. */
export const MLTRACE_SERVICES: readonly string[] = ['gateway', 'feature-store', 'inference', 'postprocess'];
export const MLTRACE_ENTRY_SERVICE = 'gateway';
export const MLTRACE_EXPECTED_EDGES: readonly ExpectedEdge[] = [
  ['gateway', 'feature-store', 'called'],
  ['gateway', 'inference'],
  ['gateway', 'postprocess'],
];
export const MLTRACE_PIPELINE_ORDER: readonly string[] = ['feature-store', 'inference', 'postprocess'];
export const MLTRACE_FEATURE_STORE = 'feature-store';
/** A resource attribute that marks mltrace's own processes outright. */
export const MLTRACE_NAMESPACE = 'mltrace';
/**
 * Without the namespace, the traces are taken as mltrace's when their resources name the gateway
 * and at least this many of the other three services: one service called "gateway" is common, the
 * whole set is not.
 */
const MIN_OTHER_MLTRACE_SERVICES = 2;

export type TopologySource = 'configured' | 'mltrace' | 'inferred';

export interface Topology {
  /** Where this topology came from: options, recognized mltrace resources, or nothing (inferred). */
  source: TopologySource;
  /** The configured entry service, mltrace's gateway, or undefined (inferred from the roots). */
  entryService: string | undefined;
  expectedEdges: ExpectedEdge[];
  /** Callees in data-dependency order (a later one consumes an earlier one's output). */
  pipelineOrder: string[];
  /** The service the `feature-store-dominates` rule watches, when the system has a feature store. */
  featureStoreService: string | undefined;
}

/** True when the traces' resources are recognizably mltrace's own services. */
export function isMltraceTraces(traces: readonly Trace[]): boolean {
  const seen = new Set<string>();
  let lastResource: unknown;
  for (const t of traces) {
    for (const s of t.spans) {
      if (s.resource === lastResource) continue; // spans of one process share their resource object
      lastResource = s.resource;
      if (s.resource[ATTR_SERVICE_NAMESPACE] === MLTRACE_NAMESPACE) return true;
      const name = s.resource[ATTR_SERVICE_NAME];
      if (typeof name === 'string' && MLTRACE_SERVICES.includes(name)) seen.add(name);
    }
  }
  return seen.has(MLTRACE_ENTRY_SERVICE) && seen.size - 1 >= MIN_OTHER_MLTRACE_SERVICES;
}

function configured(opts: AnalysisOptions): boolean {
  return opts.entryService !== undefined || opts.expectedEdges !== undefined || opts.pipelineOrder !== undefined || opts.featureStoreService !== undefined;
}

/** The topology for these traces and options (options win; mltrace's defaults only for mltrace's traces). */
export function resolveTopology(traces: readonly Trace[], opts: AnalysisOptions): Topology {
  if (opts.topology) return opts.topology;
  const mltrace = isMltraceTraces(traces);
  const source: TopologySource = configured(opts) ? 'configured' : mltrace ? 'mltrace' : 'inferred';
  return {
    source,
    entryService: opts.entryService ?? (mltrace ? MLTRACE_ENTRY_SERVICE : undefined),
    expectedEdges: opts.expectedEdges ?? (mltrace ? [...MLTRACE_EXPECTED_EDGES] : []),
    pipelineOrder: opts.pipelineOrder ?? (mltrace ? [...MLTRACE_PIPELINE_ORDER] : []),
    featureStoreService: opts.featureStoreService ?? (mltrace ? MLTRACE_FEATURE_STORE : undefined),
  };
}

/** Options with the topology resolved once, so the analyses of one run agree and do not rescan. */
export function withTopology(traces: readonly Trace[], opts: AnalysisOptions): AnalysisOptions {
  return opts.topology ? opts : { ...opts, topology: resolveTopology(traces, opts) };
}
