/**
 * 10. Recommendations: rules over the findings. Every recommendation carries the numbers that
 * triggered it (`evidence`), an estimated gain, and an `impact` in [0, 1] used for sorting:
 * - latency rules: estimated time saved / total end-to-end time of all traces;
 * - error-origin: failed traces it explains / all traces;
 * - dropped-context: broken traces / all traces;
 * - throughput-variability: ½ × the share of peak capacity that smoothing to the mean rate
 *   would free (halved because it buys capacity, not latency).
 * Rule ids are stable (tests and scripts match on them).
 */
import { ATTR_ML_OPERATION_TYPE } from '@mltrace/tracing/attributes';
import { ATTR_DB_SYSTEM_NAME } from '@opentelemetry/semantic-conventions';
import { ATTR_DB_SYSTEM, ATTR_PEER_SERVICE, DB_SYSTEM_NAME_VALUE_REDIS } from '@mltrace/tracing/semconv';
import type { Span, Trace } from '../model';
import type { BottlenecksResult } from './bottlenecks';
import type { CompletenessResult } from './completeness';
import type { CriticalPathAggregate } from './critical-path-aggregate';
import type { ErrorsResult } from './errors';
import { DEFAULT_PIPELINE_ORDER, type AnalysisOptions } from './options';
import type { PerformanceResult } from './performance';
import type { SlicesResult } from './slices';
import { mean, quantile } from './stats';
import { entryOf, isEntry, isFailure, opKey, traceFacts } from './trace-facts';

export type RuleId =
  | 'model-reloaded'
  | 'redis-n-plus-one'
  | 'sequential-calls'
  | 'feature-store-dominates'
  | 'throughput-variability'
  | 'dropped-context'
  | 'slow-slice'
  | 'error-origin';

export interface Recommendation {
  id: RuleId;
  title: string;
  /** What it is about: a service, "service: operation", a hop "a→b" or a slice "k=v". */
  target: string;
  action: string;
  evidence: Record<string, number | string>;
  estimatedGain: { value: number; unit: string; description: string };
  impact: number;
}

export interface Findings {
  performance: PerformanceResult;
  bottlenecks: BottlenecksResult;
  errors: ErrorsResult;
  criticalPath: CriticalPathAggregate;
  completeness: CompletenessResult;
  slices: SlicesResult;
}

const OPERATION_TYPE: string = ATTR_ML_OPERATION_TYPE;
// Plain module constants: the incubating conventions module has thousands of exports (a dictionary-
// mode object), so reading an imported binding per span is a hash lookup each time.
const DB_SYSTEM: string = ATTR_DB_SYSTEM;
const DB_SYSTEM_NAME: string = ATTR_DB_SYSTEM_NAME;
const REDIS: string = DB_SYSTEM_NAME_VALUE_REDIS;
const PEER_SERVICE: string = ATTR_PEER_SERVICE;
const ms = (us: number) => Math.round(us / 10) / 100;
const pct = (x: number) => Math.round(x * 1000) / 10;

function isDbSpan(s: Span): boolean {
  return s.attributes[DB_SYSTEM] !== undefined || s.attributes[DB_SYSTEM_NAME] !== undefined;
}

function isRedis(s: Span): boolean {
  return s.attributes[DB_SYSTEM] === REDIS || s.attributes[DB_SYSTEM_NAME] === REDIS;
}

function modelReloaded(traces: readonly Trace[], totalE2e: number): Recommendation[] {
  let loads = 0;
  let loadTime = 0;
  let cp = 0;
  let tracesWithLoad = 0;
  let inferenceRequests = 0;
  let service = '';
  let name = 'model_load';
  for (const t of traces) {
    const f = traceFacts(t);
    let loadServices: Set<string> | undefined;
    for (let i = 0; i < t.spans.length; i++) {
      const s = t.spans[i] as Span;
      const isLoad = s.name === 'model_load' || s.attributes[OPERATION_TYPE] === 'model_load';
      if (!isLoad) continue;
      // Loads at start-up form their own trace; only loads inside a request count.
      const root = f.roots[0] === undefined ? undefined : (t.spans[f.roots[0]] as Span);
      if (!root || root.kind !== 'server' || (f.parent[i] as number) < 0) continue;
      loads++;
      loadTime += s.duration;
      service = s.service;
      name = s.name;
      (loadServices ??= new Set()).add(s.service);
    }
    if (loadServices) {
      tracesWithLoad++;
      cp += f.cpByOp.get(opKey(service, name)) ?? 0;
    }
    for (let i = 0; i < t.spans.length; i++) {
      const s = t.spans[i] as Span;
      if (s.kind === 'server' && isEntry(t.spans, f.parent, i) && (loadServices?.has(s.service) || s.service === 'inference')) inferenceRequests++;
    }
  }
  if (loads < 3 || inferenceRequests === 0 || loads / inferenceRequests < 0.1) return [];
  // The critical-path time of the loads is what requests wait; when the path does not cross them
  // (a load that ends exactly as the next step starts is skipped by Jaeger's walk), their duration.
  const perTrace = cp > 0 ? cp / tracesWithLoad : loadTime / tracesWithLoad;
  return [
    {
      id: 'model-reloaded',
      title: 'Model loaded repeatedly inside requests',
      target: `${service}: ${name}`,
      action: `Load the model once per process (or per version) and cache it; ${service} reloads it while serving requests.`,
      evidence: {
        loadsInRequests: loads,
        requests: inferenceRequests,
        loadsPerRequest: loads / inferenceRequests,
        tracesWithLoad,
        meanLoadMs: ms(loadTime / loads),
        criticalPathMsPerAffectedTrace: ms(cp / tracesWithLoad),
      },
      estimatedGain: { value: ms(perTrace), unit: 'ms per affected request', description: 'the time requests spend waiting for model loads, removed by caching' },
      impact: totalE2e > 0 ? (perTrace * tracesWithLoad) / totalE2e : 0,
    },
  ];
}

/**
 * OpenTelemetry JS records span starts in whole milliseconds (Date.now()) and durations precisely,
 * so a start can be up to this much earlier than it really was; ends are exact.
 */
export const START_QUANTUM_US = 1000;
/** Replies of one pipeline are parsed back to back; a new round trip ends at least this much later. */
const REPLY_GAP_US = 25;

/**
 * Groups calls into network round trips, robust to millisecond start times: ordered by their
 * (exact) end, a call starts a new round trip when it ended clearly after the previous one and
 * could not have started before the previous one ended. Durations of the round trips are
 * measured between consecutive ends (the first: its own span), so they add up to the wall time.
 */
export function roundTrips(calls: readonly Span[]): { trips: number; durations: number[] } {
  const byEnd = [...calls].sort((a, b) => a.start + a.duration - (b.start + b.duration));
  const durations: number[] = [];
  let tripStart = Infinity;
  let first = true;
  let prevEnd = -Infinity;
  for (const c of byEnd) {
    const end = c.start + c.duration;
    if (prevEnd > -Infinity && end - prevEnd >= REPLY_GAP_US && c.start >= prevEnd - START_QUANTUM_US) {
      durations.push(prevEnd - tripStart);
      tripStart = prevEnd;
      first = false;
    } else if (first) tripStart = Math.min(tripStart, c.start);
    prevEnd = end;
  }
  if (byEnd.length) durations.push(prevEnd - tripStart);
  return { trips: durations.length, durations };
}

function redisNPlusOne(traces: readonly Trace[], totalE2e: number): Recommendation[] {
  const perOwner: Array<{ calls: number; trips: number; gain: number }> = [];
  const ownerServices = new Map<string, number>();
  const commands = new Map<string, number>();
  for (const t of traces) {
    const f = traceFacts(t);
    let byOwner: Map<number, number[]> | undefined;
    t.spans.forEach((s, i) => {
      if (!isRedis(s)) return;
      const owner = entryOf(t.spans, f.parent, i);
      if (owner === i) return; // a Redis call outside any request (start-up, health)
      byOwner ??= new Map();
      let a = byOwner.get(owner);
      if (!a) byOwner.set(owner, (a = []));
      a.push(i);
      commands.set(s.name, (commands.get(s.name) ?? 0) + 1);
    });
    if (!byOwner) continue;
    for (const [owner, idx] of byOwner as Map<number, number[]>) {
      const svc = (t.spans[owner] as Span).service;
      ownerServices.set(svc, (ownerServices.get(svc) ?? 0) + 1);
      const { trips, durations } = roundTrips(idx.map((i) => t.spans[i] as Span));
      let sum = 0;
      let max = 0;
      for (const g of durations) {
        sum += g;
        if (g > max) max = g;
      }
      perOwner.push({ calls: idx.length, trips, gain: sum - max });
    }
  }
  // Requests with one Redis call say nothing; among the others, N+1 means (nearly) every call is
  // its own round trip, where a pipeline or MGET puts them all in one. "Nearly": on a busy host
  // two sequential replies can land back to back and look like one trip.
  const multi = perOwner.filter((o) => o.calls >= 2);
  if (multi.length < 5) return [];
  const sequential = multi.filter((o) => o.trips > 0.5 * o.calls).length / multi.length;
  const trips = multi.map((o) => o.trips);
  const meanTrips = mean(trips);
  const medianTrips = quantile(trips, 0.5);
  if (sequential < 0.5 || meanTrips < 2) return [];
  const service = [...ownerServices].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '?';
  const topCommand = [...commands].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '?';
  const gainSum = perOwner.reduce((a, o) => a + o.gain, 0);
  return [
    {
      id: 'redis-n-plus-one',
      title: 'One Redis round trip per entity (N+1)',
      target: `${service}: redis ${topCommand}`,
      action: `Batch the ${topCommand} calls of one request into a single pipeline (or MGET/HMGET over all keys) so each request makes one round trip.`,
      evidence: {
        requests: perOwner.length,
        requestsWithSeveralCalls: multi.length,
        shareMostlyOneCallPerRoundTrip: Math.round(sequential * 1000) / 10,
        meanRedisCallsPerRequest: mean(multi.map((o) => o.calls)),
        meanRoundTripsPerRequest: meanTrips,
        medianRoundTripsPerRequest: medianTrips,
        command: topCommand,
      },
      estimatedGain: { value: ms(gainSum / perOwner.length), unit: 'ms per request', description: 'sum of sequential round-trip times minus the longest one' },
      impact: totalE2e > 0 ? gainSum / totalE2e : 0,
    },
  ];
}

/**
 * For each span of a trace, its first direct child (trace order) in another service: the callee a
 * client span reached. One pass over the trace into an array reused from trace to trace, instead
 * of a Map of child lists per trace. Valid until the next call.
 */
const foreignChild: (string | undefined)[] = [];
function firstForeignChildren(t: Trace, parent: readonly number[]): readonly (string | undefined)[] {
  const spans = t.spans;
  foreignChild.length = 0;
  for (let i = 0; i < spans.length; i++) foreignChild.push(undefined);
  for (let i = 0; i < spans.length; i++) {
    const p = parent[i] as number;
    if (p >= 0 && foreignChild[p] === undefined && (spans[i] as Span).service !== (spans[p] as Span).service) foreignChild[p] = (spans[i] as Span).service;
  }
  return foreignChild;
}

/** The service a client span called: its child in another service, else peer.service; undefined when unknown. */
function callTarget(s: Span, foreignChildService: string | undefined): string | undefined {
  if (foreignChildService !== undefined) return foreignChildService;
  const peer = s.attributes[PEER_SERVICE];
  return peer === undefined ? undefined : String(peer);
}

function sequentialCalls(traces: readonly Trace[], totalE2e: number, opts: AnalysisOptions): Recommendation[] {
  const order = opts.pipelineOrder ?? DEFAULT_PIPELINE_ORDER;
  const rank = (target: string) => order.indexOf(target);
  const dependent = (a: string, b: string) => rank(a) >= 0 && rank(b) >= 0 && rank(a) < rank(b);
  const patterns = new Map<string, { service: string; targets: string; requests: number; gain: number; example: string }>();
  const entryRequests = new Map<string, number>();
  for (const t of traces) {
    const f = traceFacts(t);
    // Client calls (not database commands) per service request they belong to.
    let calls: Map<number, number[]> | undefined;
    for (let i = 0; i < t.spans.length; i++) {
      const s = t.spans[i] as Span;
      if (s.kind === 'server' && isEntry(t.spans, f.parent, i)) entryRequests.set(s.service, (entryRequests.get(s.service) ?? 0) + 1);
      if (s.kind !== 'client' || isDbSpan(s)) continue;
      const owner = entryOf(t.spans, f.parent, i);
      if (owner === i) continue;
      calls ??= new Map();
      let c = calls.get(owner);
      if (!c) calls.set(owner, (c = []));
      c.push(i);
    }
    if (!calls) continue;
    let foreign: readonly (string | undefined)[] | undefined;
    for (const [owner, idx] of calls) {
      if (idx.length < 2) continue;
      // Calls whose target is unknown (no traced callee) cannot be judged independent.
      foreign ??= firstForeignChildren(t, f.parent);
      const found = foreign;
      const list: Array<{ span: Span; target: string }> = [];
      for (const i of idx) {
        const target = callTarget(t.spans[i] as Span, found[i]);
        if (target !== undefined) list.push({ span: t.spans[i] as Span, target });
      }
      // Stable sort by start; calls are listed in trace order, which for loaded traces is start order already.
      let inOrder = true;
      for (let k = 1; k < list.length && inOrder; k++) if ((list[k] as { span: Span }).span.start < (list[k - 1] as { span: Span }).span.start) inOrder = false;
      if (!inOrder) list.sort((a, b) => a.span.start - b.span.start);
      const involved = new Set<number>();
      for (let a = 0; a < list.length; a++) {
        for (let b = a + 1; b < list.length; b++) {
          const x = list[a]!;
          const y = list[b]!;
          // Already concurrent: y started in the same millisecond as x, or clearly before x ended
          // (starts are whole milliseconds, see START_QUANTUM_US).
          if (y.span.start <= x.span.start || y.span.start < x.span.start + x.span.duration - START_QUANTUM_US) continue;
          if (isFailure(x.span)) continue; // a retry after a failure is sequential on purpose
          if (dependent(x.target, y.target)) continue;
          involved.add(a).add(b);
        }
      }
      if (!involved.size) continue;
      const chosen = [...involved].sort((x, y) => x - y).map((k) => list[k]!);
      const durations = chosen.map((c) => c.span.duration);
      const gain = durations.reduce((a, b) => a + b, 0) - Math.max(...durations);
      const service = (t.spans[owner] as Span).service;
      const targets = chosen.map((c) => c.target).join(' then ');
      const key = `${service}\u0000${targets}`;
      const p = patterns.get(key) ?? { service, targets, requests: 0, gain: 0, example: t.traceId };
      p.requests++;
      p.gain += gain;
      patterns.set(key, p);
    }
  }
  const out: Recommendation[] = [];
  const meanE2e = traces.length ? totalE2e / traces.length : 0;
  for (const p of patterns.values()) {
    const reqs = entryRequests.get(p.service) ?? p.requests;
    const share = p.requests / Math.max(reqs, 1);
    const meanGain = p.gain / p.requests;
    if (p.requests < 5 || share < 0.2 || meanGain < 0.02 * meanE2e) continue;
    out.push({
      id: 'sequential-calls',
      title: 'Independent calls made one after another',
      target: `${p.service}: ${p.targets}`,
      action: `Issue these calls of ${p.service} concurrently (Promise.all): neither consumes the other's result.`,
      evidence: { requests: p.requests, shareOfRequests: pct(share), meanGainMs: ms(meanGain), exampleTraceId: p.example },
      estimatedGain: { value: ms(meanGain), unit: 'ms per affected request', description: 'sum of the sequential call durations minus the longest one' },
      impact: totalE2e > 0 ? p.gain / totalE2e : 0,
    });
  }
  return out;
}

export function recommendations(traces: readonly Trace[], findings: Findings, opts: AnalysisOptions = {}): Recommendation[] {
  const totalE2e = findings.criticalPath.totalEndToEnd;
  const out: Recommendation[] = [...modelReloaded(traces, totalE2e), ...redisNPlusOne(traces, totalE2e), ...sequentialCalls(traces, totalE2e, opts)];

  const fsName = opts.featureStoreService ?? 'feature-store';
  const fs = findings.criticalPath.byService.find((s) => s.service === fsName);
  const fsCalls = findings.criticalPath.byCallee.find((s) => s.service === fsName);
  // The bulk and the tail must both point at the feature store: its own spans hold ≥ 40 % of all
  // end-to-end time on the critical path, or its spans plus the calls waiting on it ≥ 50 %; and
  // ≥ 60 % of the slowest traces (p95). A feature store that is merely the biggest hop of a fast
  // pipeline does not dominate.
  const own = fs !== undefined && fs.shareOfTotal >= 0.4 && fs.shareP95 >= 0.6;
  const withCalls = fsCalls !== undefined && fsCalls.shareOfTotal >= 0.5 && fsCalls.shareP95 >= 0.6;
  if (fs && fsCalls && (own || withCalls) && traces.length >= 5) {
    out.push({
      id: 'feature-store-dominates',
      title: 'The feature store dominates the critical path',
      target: fsName,
      action: `Cache features close to the gateway (or in ${fsName} in front of its backend) and look at what makes ${fsName} slow in the bottleneck table.`,
      evidence: {
        criticalPathShare: pct(fs.shareOfTotal),
        shareP50: pct(fs.shareP50),
        shareP95: pct(fs.shareP95),
        shareWithCallsToIt: pct(fsCalls.shareOfTotal),
        shareWithCallsP95: pct(fsCalls.shareP95),
        meanCriticalPathMs: ms(fs.meanTime),
        traces: fs.traces,
      },
      estimatedGain: {
        value: ms(fs.saving.meanUs),
        unit: 'ms per request',
        description: `end-to-end saving if ${fsName} were ${findings.criticalPath.speedupPercent}% faster (first-order critical-path estimate)`,
      },
      impact: fs.saving.meanShare,
    });
  }

  const tp = findings.performance.throughput;
  // At least 50 traces and a mean of 1 request/s: a handful of traces scattered over days is no load pattern.
  if (tp.counts.length >= 10 && tp.cv >= 0.75 && tp.meanRate >= 1 && traces.length >= 50) {
    const freed = (tp.peakRate - tp.meanRate) / tp.peakRate;
    out.push({
      id: 'throughput-variability',
      title: 'Bursty throughput',
      target: 'throughput',
      action: 'Smooth bursts: batch requests (micro-batching in inference, request coalescing at the gateway) or queue them, and size for the mean rate plus headroom.',
      evidence: { cv: Math.round(tp.cv * 100) / 100, meanRate: Math.round(tp.meanRate * 10) / 10, peakRate: Math.round(tp.peakRate * 10) / 10, buckets: tp.counts.length, bucketMs: tp.bucketMs },
      estimatedGain: { value: pct(freed), unit: '% of peak capacity', description: 'capacity needed at the peak rate that a smoothed (mean-rate) load would not need' },
      impact: freed / 2,
    });
  }

  const c = findings.completeness;
  const faulty = c.hops.find((h) => h.hop === c.hopAtFault);
  if (faulty) {
    const share = faulty.broken / Math.max(1, faulty.calls + faulty.traceContextLost);
    if (faulty.broken >= 3 && share >= 0.05) {
      out.push({
        id: 'dropped-context',
        title: 'A hop drops trace context or baggage',
        target: faulty.hop,
        action: `Fix context propagation on ${faulty.hop}: ${faulty.from} must send traceparent and baggage headers (use the instrumented client, do not build headers by hand).`,
        evidence: {
          hop: faulty.hop,
          splitTraces: faulty.traceContextLost,
          callsMissingContext: faulty.contextLost,
          missingKeys: faulty.missingKeys.map((k) => k.key).join(', ') || '(all: trace context lost)',
          brokenShare: pct(share),
          completenessScore: Math.round(c.score * 1000) / 1000,
        },
        estimatedGain: { value: faulty.broken, unit: 'traces made whole', description: 'requests whose trace would be complete with their ML context' },
        impact: Math.min(1, faulty.broken / Math.max(1, traces.length)),
      });
    }
  }

  for (const s of findings.slices.slowSlices.slice(0, 3)) {
    out.push({
      id: 'slow-slice',
      title: 'A slice is much slower than the rest',
      target: s.label,
      action: `Investigate ${s.label}: compare it with the rest (mltrace analyze --compare) and look at its critical path.`,
      evidence: { slice: s.label, traces: s.traces, meanMs: ms(s.meanUs), restMeanMs: ms(s.restMeanUs), ratio: Math.round(s.ratio * 100) / 100, p50Ms: ms(s.p50Us), restP50Ms: ms(s.restP50Us), pValue: s.pValue },
      estimatedGain: { value: ms(s.meanExcessUs), unit: 'ms per request in the slice', description: 'mean excess latency over the other traces' },
      impact: totalE2e > 0 ? Math.max(0, (s.meanExcessUs * s.traces) / totalE2e) : 0,
    });
  }

  const e = findings.errors;
  const origin = e.origins[0];
  if (origin && e.failedTraces >= 5 && e.errorRate >= 0.01 && origin.share >= 0.5) {
    out.push({
      id: 'error-origin',
      title: 'Most failures start in one place',
      target: origin.unansweredCallee ? `${origin.service} → ${origin.unansweredCallee} (unanswered)` : `${origin.service}: ${origin.operation}`,
      action: origin.unansweredCallee
        ? `${origin.unansweredCallee} did not answer ${origin.service}'s calls (${origin.type}): check that it is up and reachable; the failure propagates through ${origin.exampleChain.join(' → ')}.`
        : `Fix ${origin.service} (${origin.type}); the failure propagates through ${origin.exampleChain.join(' → ')}.`,
      evidence: {
        service: origin.service,
        ...(origin.unansweredCallee ? { unansweredCallee: origin.unansweredCallee } : {}),
        operation: origin.operation,
        errorType: origin.type,
        failedTraces: origin.traces,
        shareOfFailures: pct(origin.share),
        errorRate: pct(e.errorRate),
        exampleTraceId: origin.exampleTraceId,
      },
      estimatedGain: { value: origin.traces, unit: 'failed requests avoided', description: 'failed traces whose deepest failing span is here' },
      impact: traces.length ? origin.traces / traces.length : 0,
    });
  }
  return out.sort((a, b) => b.impact - a.impact);
}
