/**
 * Runs every analysis over one set of traces and returns them under stable top-level keys
 * (the JSON shape of `mltrace analyze --format json`).
 */
import type { Trace } from '../model';
import { selfTimeSummary, type SelfTimeResult } from './attribution';
import { bottlenecks, type BottlenecksResult } from './bottlenecks';
import { capacity, type CapacityResult } from './capacity';
import { completeness, type CompletenessResult } from './completeness';
import { criticalPathAggregate, type CriticalPathAggregate } from './critical-path-aggregate';
import { dependencies, type DependenciesResult } from './dependencies';
import { errors, type ErrorsResult } from './errors';
import type { AnalysisOptions } from './options';
import { sharePeerIndex } from './peers';
import { performance, type PerformanceResult } from './performance';
import { recommendations, type Recommendation } from './recommendations';
import { splitTraffic, type TrafficSummary } from './requests';
import { slices, type SlicesResult } from './slices';
import { withTopology } from './topology';
import { prepareFacts } from './trace-facts';

export interface AnalysisReport {
  /** Requests vs the traces kept apart (health checks, start-up and other background work). */
  traffic: TrafficSummary;
  performance: PerformanceResult;
  bottlenecks: BottlenecksResult;
  errors: ErrorsResult;
  dependencies: DependenciesResult;
  criticalPath: CriticalPathAggregate;
  selfTime: SelfTimeResult;
  completeness: CompletenessResult;
  slices: SlicesResult;
  capacity: CapacityResult;
  recommendations: Recommendation[];
}

export const REPORT_KEYS = ['traffic', 'performance', 'bottlenecks', 'errors', 'dependencies', 'criticalPath', 'selfTime', 'completeness', 'slices', 'capacity', 'recommendations'] as const;

/**
 * Request figures (performance, bottlenecks, errors, critical path, self time, slices, capacity,
 * recommendations) are computed over the requests only; dependencies and completeness look at
 * every trace (a start-up call to a database is still a dependency, a split trace is not a request).
 */
export function analyze(traces: readonly Trace[], options: AnalysisOptions = {}): AnalysisReport {
  // One pass computes every trace's facts (parents, critical path, self time) with one workspace;
  // the analyses below read them.
  prepareFacts(traces);
  const opts = withTopology(traces, options);
  const { requests, summary } = splitTraffic(traces);
  sharePeerIndex(traces, requests);
  const perf = performance(requests, opts);
  const bn = bottlenecks(requests, opts);
  const err = errors(requests, opts);
  const cp = criticalPathAggregate(requests, opts);
  const comp = completeness(traces, opts);
  const sl = slices(requests, opts);
  return {
    traffic: summary,
    performance: perf,
    bottlenecks: bn,
    errors: err,
    dependencies: dependencies(traces, opts),
    criticalPath: cp,
    selfTime: selfTimeSummary(requests, opts),
    completeness: comp,
    slices: sl,
    capacity: capacity(requests, opts),
    recommendations: recommendations(requests, { performance: perf, bottlenecks: bn, errors: err, criticalPath: cp, completeness: comp, slices: sl }, opts),
  };
}
