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
import { spanStats } from './op-stats';
import { peerIndex } from './peers';
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
  const steps = ANALYZE_STEPS.length;
  let done = 0;
  const step = <T>(name: (typeof ANALYZE_STEPS)[number], run: () => T): T => {
    options.onPhase?.(name, done, steps);
    const result = run();
    done++;
    return result;
  };
  // One pass computes every trace's facts (parents, critical path, self time) with one workspace;
  // the analyses below read them.
  step('trace facts', () => prepareFacts(traces));
  const { requests, summary } = splitTraffic(traces);
  // Computed once here and passed to the analyses that share them (no module-level cache): the
  // servers' addresses across all traces, and the per-operation statistics of the requests.
  const opts = { ...withTopology(traces, options), peers: peerIndex(traces), spanStats: spanStats(requests) };
  const perf = step('performance', () => performance(requests, opts));
  const bn = step('bottlenecks', () => bottlenecks(requests, opts));
  const err = step('errors', () => errors(requests, opts));
  const cp = step('critical path', () => criticalPathAggregate(requests, opts));
  const comp = step('completeness', () => completeness(traces, opts));
  const sl = step('slices', () => slices(requests, opts));
  const deps = step('dependencies', () => dependencies(traces, opts));
  const self = step('self time', () => selfTimeSummary(requests, opts));
  const cap = step('capacity', () => capacity(requests, opts));
  const recs = step('recommendations', () => recommendations(requests, { performance: perf, bottlenecks: bn, errors: err, criticalPath: cp, completeness: comp, slices: sl }, opts));
  options.onPhase?.('done', steps, steps);
  return {
    traffic: summary,
    performance: perf,
    bottlenecks: bn,
    errors: err,
    dependencies: deps,
    criticalPath: cp,
    selfTime: self,
    completeness: comp,
    slices: sl,
    capacity: cap,
    recommendations: recs,
  };
}

/** The steps analyze() reports to onPhase, in order. */
export const ANALYZE_STEPS = ['trace facts', 'performance', 'bottlenecks', 'errors', 'critical path', 'completeness', 'slices', 'dependencies', 'self time', 'capacity', 'recommendations'] as const;
