/**
 * `sequential-calls`: calls of one service request that could run concurrently but ran one after
 * another. Two calls are independent only when nothing says one consumes the other's output:
 * - calls to the same callee service (two lookups of the same store) are independent;
 * - calls to different services are taken as data-dependent (a request to the driver service needs
 *   the customer's location), unless a configured pipeline order places them at the same stage —
 *   a trace does not show data flow, so a gain is never claimed for calls that may depend on each
 *   other;
 * - a call after a failed one is a retry, sequential on purpose; failed requests are not judged;
 * - calls that form an N+1 (n-plus-one.ts: many serial calls of one operation under one parent)
 *   are that rule's finding, not this one's.
 * Gain per request = the wall time the independent calls occupy − the longest of them (what running
 * them together would leave). Reported per pattern when it occurs in at least MIN_REQUEST_SHARE of
 * the requests entering the calling service, in at least MIN_REQUESTS requests, with a mean gain of
 * at least MIN_GAIN_SHARE of the mean end-to-end latency.
 */
import type { Span } from '../../model';
import { calleesOf, peersFor } from '../peers';
import { entryOf, isEntry, isFailure, traceFacts } from '../trace-facts';
import { ExampleTraces, isDbSpan, ms, pct, peerNameOf, type FindingExamples, type Recommendation, type RuleInput } from './common';
import { isSerialRepetition } from './n-plus-one';
import { START_QUANTUM_US } from './round-trips';

export const MIN_REQUESTS = 5;
export const MIN_REQUEST_SHARE = 0.2;
export const MIN_GAIN_SHARE = 0.02;

interface Call {
  span: Span;
  target: string;
  /** Parent, target and operation: the calls that would form an N+1 group together. */
  group: string;
}

/** Wall time covered by the calls (their union), µs. */
function coveredTime(calls: readonly Call[]): number {
  const iv = calls.map((c) => [c.span.start, c.span.start + c.span.duration] as const).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let lo = -Infinity;
  let hi = -Infinity;
  for (const [a, b] of iv) {
    if (a > hi) {
      if (hi > lo) total += hi - lo;
      lo = a;
      hi = b;
    } else if (b > hi) hi = b;
  }
  if (hi > lo) total += hi - lo;
  return total;
}

/** "a then b", with a run of three or more calls to one target written once: "route ×10". */
function describeTargets(targets: readonly string[]): string {
  const parts: string[] = [];
  for (let i = 0; i < targets.length; ) {
    let j = i;
    while (j < targets.length && targets[j] === targets[i]) j++;
    const run = j - i;
    if (run >= 3) parts.push(`${targets[i]} ×${run}`);
    else for (let k = i; k < j; k++) parts.push(targets[k] as string);
    i = j;
  }
  return parts.join(' then ');
}

/** The groups (parent, target, operation) of a request's calls that form an N+1. */
function serialRepetitions(list: readonly Call[]): Set<string> {
  const byGroup = new Map<string, Span[]>();
  for (const c of list) {
    const same = byGroup.get(c.group);
    if (same) same.push(c.span);
    else byGroup.set(c.group, [c.span]);
  }
  const out = new Set<string>();
  for (const [group, same] of byGroup) if (isSerialRepetition(same)) out.add(group);
  return out;
}

export function sequentialCalls({ traces, totalE2e, topology, opts }: RuleInput): Recommendation[] {
  const stage = (target: string) => topology.pipelineOrder.indexOf(target);
  const independent = (a: string, b: string) => a === b || (stage(a) >= 0 && stage(a) === stage(b));
  const patterns = new Map<string, { service: string; targets: string; requests: number; gain: number; examples: ExampleTraces; first: FindingExamples | undefined }>();
  const entryRequests = new Map<string, number>();
  const peers = peersFor(traces, opts);
  for (const t of traces) {
    const f = traceFacts(t);
    const callees = calleesOf(t, peers);
    const judged = !f.failed && !f.rejected;
    const calls = new Map<number, Call[]>();

    for (let i = 0; i < t.spans.length; i++) {
      const s = t.spans[i] as Span;
      if (s.kind === 'server' && isEntry(t.spans, f.parent, i)) entryRequests.set(s.service, (entryRequests.get(s.service) ?? 0) + 1);
      if (s.kind !== 'client' || isDbSpan(s)) continue;
      const owner = entryOf(t.spans, f.parent, i);
      if (owner === i) continue;
      // Calls whose target is unknown (no traced callee, no peer) cannot be judged independent.
      const target = callees.get(i)?.service ?? peerNameOf(s);
      if (target === undefined) continue;
      const list = calls.get(owner) ?? [];
      list.push({ span: s, target, group: `${f.parent[i]}\u0000${target}\u0000${s.name}` });
      calls.set(owner, list);
    }
    for (const [owner, list] of calls) {
      // Successful requests only: a request cut short by a timeout shows its calls in no useful order.
      if (list.length < 2 || !judged) continue;
      const nPlusOneGroups = serialRepetitions(list);
      list.sort((a, b) => a.span.start - b.span.start);
      const involved = new Set<number>();
      for (let a = 0; a < list.length; a++) {
        for (let b = a + 1; b < list.length; b++) {
          const x = list[a] as Call;
          const y = list[b] as Call;
          // Already concurrent: y started in the same millisecond as x, or clearly before x ended.
          if (y.span.start <= x.span.start || y.span.start < x.span.start + x.span.duration - START_QUANTUM_US) continue;
          if (isFailure(x.span)) continue;
          if (!independent(x.target, y.target)) continue;
          if (x.group === y.group && nPlusOneGroups.has(x.group)) continue;
          involved.add(a).add(b);
        }
      }
      if (!involved.size) continue;
      const chosen = [...involved].sort((x, y) => x - y).map((k) => list[k] as Call);
      const gain = coveredTime(chosen) - Math.max(...chosen.map((c) => c.span.duration));
      if (gain <= 0) continue;
      const service = (t.spans[owner] as Span).service;
      const targets = describeTargets(chosen.map((c) => c.target));
      const key = `${service}\u0000${targets}`;
      let p = patterns.get(key);
      if (!p) patterns.set(key, (p = { service, targets, requests: 0, gain: 0, examples: new ExampleTraces(), first: undefined }));
      p.requests++;
      p.gain += gain;
      p.examples.add(t.traceId);
      p.first ??= { traceIds: [t.traceId], parentSpanId: (t.spans[owner] as Span).spanId, spanIds: chosen.map((c) => c.span.spanId) };
    }
  }
  const out: Recommendation[] = [];
  const meanE2e = traces.length ? totalE2e / traces.length : 0;
  for (const p of patterns.values()) {
    const reqs = entryRequests.get(p.service) ?? p.requests;
    const share = p.requests / Math.max(reqs, 1);
    const meanGain = p.gain / p.requests;
    if (p.requests < MIN_REQUESTS || share < MIN_REQUEST_SHARE || meanGain < MIN_GAIN_SHARE * meanE2e) continue;
    out.push({
      id: 'sequential-calls',
      title: 'Independent calls made one after another',
      target: `${p.service}: ${p.targets}`,
      action: `Issue these calls of ${p.service} concurrently (Promise.all): neither consumes the other's result.`,
      evidence: { requests: p.requests, shareOfRequests: pct(share), meanGainMs: ms(meanGain), exampleTraceId: p.examples.list()[0] ?? '' },
      examples: { ...(p.first as FindingExamples), traceIds: p.examples.list() },
      estimatedGain: { value: ms(meanGain), unit: 'ms per affected request', description: 'wall time of the independent calls minus the longest one (calls that may depend on each other are left out)' },
      impact: totalE2e > 0 ? p.gain / totalE2e : 0,
    });
  }
  return out;
}
