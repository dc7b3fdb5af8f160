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
import { performance, type PerformanceResult } from './performance';
import { recommendations, type Recommendation } from './recommendations';
import { slices, type SlicesResult } from './slices';

export interface AnalysisReport {
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

export const REPORT_KEYS = ['performance', 'bottlenecks', 'errors', 'dependencies', 'criticalPath', 'selfTime', 'completeness', 'slices', 'capacity', 'recommendations'] as const;

export function analyze(traces: readonly Trace[], opts: AnalysisOptions = {}): AnalysisReport {
  const perf = performance(traces, opts);
  const bn = bottlenecks(traces, opts);
  const err = errors(traces, opts);
  const cp = criticalPathAggregate(traces, opts);
  const comp = completeness(traces, opts);
  const sl = slices(traces, opts);
  return {
    performance: perf,
    bottlenecks: bn,
    errors: err,
    dependencies: dependencies(traces, opts),
    criticalPath: cp,
    selfTime: selfTimeSummary(traces, opts),
    completeness: comp,
    slices: sl,
    capacity: capacity(traces, opts),
    recommendations: recommendations(traces, { performance: perf, bottlenecks: bn, errors: err, criticalPath: cp, completeness: comp, slices: sl }, opts),
  };
}
