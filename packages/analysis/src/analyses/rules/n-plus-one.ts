/**
 * `n-plus-one` (`redis-n-plus-one` when the callee is Redis): one parent span making the same call
 * again and again, one after another, where one batched call (MGET, a pipeline, `WHERE id IN`, a
 * batch endpoint) would do. Any callee: a database (db.system.name), a broker, an HTTP or gRPC
 * service. A group is the calls of one operation to one callee under one parent span:
 * - at least MIN_REPEATED_CALLS calls, not counting retries (a call right after a failed one);
 * - serial: more than SERIAL_TRIP_SHARE of them are round trips of their own (roundTrips: their
 *   durations add up to the window they occupy); a concurrent fan-out of the same call is one trip
 *   and no N+1;
 * - gain = Σ round trips − the longest (what one batched round trip would leave).
 * Only successful requests count (in a failed one, calls stalled by a timeout look serial too).
 * A pattern (parent operation → callee operation) is reported when it is serial in at least
 * MIN_REQUEST_SHARE of the requests where it occurs, and its mean gain per affected request is at
 * least MIN_GAIN_US and MIN_GAIN_SHARE of those requests' mean latency (no finding for a 0.2 ms win).
 */
import type { Span, Trace } from '../../model';
import { calleesOf, peersFor } from '../peers';
import { mean, quantile } from '../stats';
import { isFailure, traceFacts } from '../trace-facts';
import { dbSystemOf, ExampleTraces, isCall, messagingSystemOf, ms, pct, peerNameOf, type FindingExamples, type Recommendation, type RuleInput } from './common';
import { roundTrips } from './round-trips';

export const MIN_REPEATED_CALLS = 3;
/** "Nearly" every call its own round trip: on a busy host two serial replies can land back to back. */
export const SERIAL_TRIP_SHARE = 0.5;
export const MIN_REQUEST_SHARE = 0.5;
/** Mean gain per affected request below which batching is not worth a finding (µs). */
export const MIN_GAIN_US = 1000;
export const MIN_GAIN_SHARE = 0.02;

const REDIS = 'redis';

/**
 * Who a call goes to: its database or messaging system, else the service that answered it (its
 * child in another service, or the peer its attributes name: `called`), else the span's own service
 * when it is not the parent's (HotROD's Redis spans), else its peer name.
 */
function calleeLabel(s: Span, parent: Span, called: string | undefined): string {
  return dbSystemOf(s) ?? messagingSystemOf(s) ?? called ?? (s.service !== parent.service ? s.service : (peerNameOf(s) ?? s.service));
}

interface Pattern {
  owner: string;
  parentOperation: string;
  callee: string;
  operation: string;
  redis: boolean;
  /** Groups (one per parent span) where the pattern occurred. */
  groups: number;
  /** Per occurrence (one parent span) where the calls were serial. */
  serial: Array<{ calls: number; trips: number; gain: number; e2e: number }>;
  /** Traces with at least one serial occurrence (the last one counted, to count each once). */
  traces: number;
  lastTrace: Trace | undefined;
  examples: ExampleTraces;
  first: FindingExamples | undefined;
}

/**
 * The calls that are not retries: a call that starts after an earlier call of the group failed
 * repeats it (HotROD retries a Redis timeout; a gateway retries a dependency) and is no new item.
 */
export function withoutRetries(calls: readonly Span[]): Span[] {
  const byStart = [...calls].sort((a, b) => a.start - b.start);
  const out: Span[] = [];
  let previousFailed = false;
  for (const c of byStart) {
    if (!previousFailed) out.push(c);
    previousFailed = isFailure(c);
  }
  return out;
}

/** True when the calls of one group form an N+1: enough of them, and nearly each its own round trip. */
export function isSerialRepetition(calls: readonly Span[]): boolean {
  return calls.length >= MIN_REPEATED_CALLS && roundTrips(calls).trips > SERIAL_TRIP_SHARE * calls.length;
}

export function nPlusOne({ traces, totalE2e, opts }: RuleInput): Recommendation[] {
  const patterns = new Map<string, Pattern>();
  const peers = peersFor(traces, opts);
  for (const t of traces) {
    const f = traceFacts(t);
    // Successful requests only: in a failed one, calls stalled or cut short by a timeout say nothing about batching.
    if (f.failed || f.rejected) continue;
    // Calls per parent first: most parents make fewer than MIN_REPEATED_CALLS calls and need no more.
    const byParent = new Map<number, number[]>();
    for (let i = 0; i < t.spans.length; i++) {
      const p = f.parent[i] as number;
      if (p < 0 || !isCall(t.spans[i] as Span)) continue;
      const list = byParent.get(p);
      if (list) list.push(i);
      else byParent.set(p, [i]);
    }
    const groups = new Map<string, { callee: string; idx: number[] }>();
    for (const [p, calls] of byParent) {
      if (calls.length < MIN_REPEATED_CALLS) continue;
      const callees = calleesOf(t, peers);
      for (const i of calls) {
        const s = t.spans[i] as Span;
        const callee = calleeLabel(s, t.spans[p] as Span, callees.get(i)?.service);
        const key = `${p}\u0000${callee}\u0000${s.name}`;
        const g = groups.get(key);
        if (g) g.idx.push(i);
        else groups.set(key, { callee, idx: [i] });
      }
    }
    for (const { callee, idx } of groups.values()) {
      if (idx.length < MIN_REPEATED_CALLS) continue;
      const parent = t.spans[f.parent[idx[0] as number] as number] as Span;
      const all = idx.map((i) => t.spans[i] as Span);
      const calls = withoutRetries(all);
      if (calls.length < MIN_REPEATED_CALLS) continue;
      const first = calls[0] as Span;
      const key = `${parent.service}\u0000${parent.name}\u0000${callee}\u0000${first.name}`;
      let pat = patterns.get(key);
      if (!pat) {
        pat = { owner: parent.service, parentOperation: parent.name, callee, operation: first.name, redis: dbSystemOf(first) === REDIS, groups: 0, serial: [], traces: 0, lastTrace: undefined, examples: new ExampleTraces(), first: undefined };
        patterns.set(key, pat);
      }
      pat.groups++;
      const { trips, durations } = roundTrips(calls);
      if (trips <= SERIAL_TRIP_SHARE * calls.length) continue;
      pat.serial.push({ calls: calls.length, trips, gain: durations.reduce((a, b) => a + b, 0) - Math.max(...durations), e2e: f.e2e });
      if (pat.lastTrace !== t) {
        pat.lastTrace = t;
        pat.traces++;
      }
      pat.examples.add(t.traceId);
      pat.first ??= { traceIds: [t.traceId], parentSpanId: parent.spanId, spanIds: all.map((c) => c.spanId) };
    }
  }
  const out: Recommendation[] = [];
  for (const p of patterns.values()) {
    if (!p.serial.length || p.serial.length < MIN_REQUEST_SHARE * p.groups) continue;
    const gain = p.serial.reduce((a, g) => a + g.gain, 0);
    const meanGain = gain / p.serial.length;
    const meanLatency = mean(p.serial.map((g) => g.e2e));
    if (meanGain < MIN_GAIN_US || meanGain < MIN_GAIN_SHARE * meanLatency) continue;
    const trips = p.serial.map((g) => g.trips);
    const label = `${p.callee} ${p.operation}`;
    out.push({
      id: p.redis ? 'redis-n-plus-one' : 'n-plus-one',
      title: `One ${p.redis ? 'Redis ' : ''}round trip per item (N+1)`,
      target: `${p.owner}: ${label}`,
      action: `Batch the ${label} calls that ${p.owner} makes one after another under ${p.parentOperation} into one call (a pipeline, MGET/HMGET over all keys, WHERE id IN (…), a batch endpoint), so each request makes one round trip.`,
      evidence: {
        parentOperation: `${p.owner}: ${p.parentOperation}`,
        requests: p.serial.length,
        affectedTraces: p.traces,
        shareOfOccurrencesSerial: pct(p.serial.length / p.groups),
        meanCallsPerRequest: mean(p.serial.map((g) => g.calls)),
        ...(p.redis ? { meanRedisCallsPerRequest: mean(p.serial.map((g) => g.calls)) } : {}),
        meanRoundTripsPerRequest: mean(trips),
        medianRoundTripsPerRequest: quantile(trips, 0.5),
        meanGainMs: ms(meanGain),
        command: p.operation,
      },
      examples: { ...(p.first as FindingExamples), traceIds: p.examples.list() },
      estimatedGain: { value: ms(meanGain), unit: `ms per ${p.parentOperation}`, description: 'sum of the serial round-trip times minus the longest one, per call of the parent operation (a request to its service)' },
      impact: totalE2e > 0 ? gain / totalE2e : 0,
    });
  }
  return out;
}
