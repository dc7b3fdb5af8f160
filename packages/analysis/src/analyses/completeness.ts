/**
 * 7. Trace completeness: is each request traced end to end, with its ML context intact?
 * - orphans: spans whose parent is not in the trace. A single root in the entry service whose
 *   parent is missing is not an orphan: that is the untraced caller (e.g. the load generator)
 *   and is counted as `externalParentRoots`.
 * - multiRootTraces: traces with more than one parentless span.
 * - downstreamRoots: traces that are not requests entering the system (their root, which names
 *   no parent, is not a server span of the entry service) but reach a downstream service's
 *   server span: a call lost its context and the trace was split in two. Counted per downstream
 *   service; the hop at fault is the expected edge into it. The hop at
 *   fault is the expected edge into that service.
 * - missingServices: traces entering at the entry service, accepted (neither rejected with a 4xx
 *   nor failed), that lack the callee of an expected edge that applies to them (expected-edges.ts:
 *   unconditional edges always, 'called' edges only when the caller made a client call to it).
 * - context hops: for every caller→callee pair across services, the ML context keys
 *   (ml.*, business.* from baggage) the caller carries but the callee does not; the hop that
 *   loses them is named.
 * - clockSkew: children that start before or end after their parent by more than a tolerance
 *   (default 1 ms: exporters that record start times in whole milliseconds put children up to
 *   1 ms before their parent; a child ending long after its parent is usually a call the caller
 *   abandoned on timeout).
 * - score = tracedOperations × propagationRate, where tracedOperations = mean share of expected
 *   services present among those expected in each accepted entry trace, propagationRate = intact hops / (intact + broken hops),
 *   broken = hops losing context keys + downstream roots + orphans.
 */
import { BAGGAGE_TO_ATTRIBUTE } from '@mltrace/tracing/attributes';
import type { Span, Trace } from '../model';
import { edgeRules, edgeUse, hasService } from './expected-edges';
import type { AnalysisOptions } from './options';
import { peersFor } from './peers';
import { resolveTopology, type TopologySource } from './topology';
import { MISSING_PARENT, NO_PARENT, traceFacts } from './trace-facts';

export const CONTEXT_ATTRIBUTE_KEYS: readonly string[] = Object.values(BAGGAGE_TO_ATTRIBUTE);

export interface HopCompleteness {
  hop: string;
  from: string;
  to: string;
  calls: number;
  /** Calls where the callee lacks ML context keys the caller had. */
  contextLost: number;
  missingKeys: Array<{ key: string; count: number }>;
  /** Downstream roots attributed to this hop (trace context lost). */
  traceContextLost: number;
  broken: number;
  /** Traces where this hop broke (at most MAX_EXAMPLES); for a hop that never broke, the first trace with a call over it. */
  exampleTraceIds: string[];
}

export interface CompletenessResult {
  entryService: string;
  expectedServices: string[];
  traces: number;
  orphanSpans: number;
  orphansByService: Array<{ service: string; count: number }>;
  externalParentRoots: number;
  multiRootTraces: number;
  downstreamRoots: Array<{ service: string; traces: number; hop: string }>;
  entryTraces: number;
  missingServices: Array<{ service: string; traces: number; share: number }>;
  spansMissingContext: Array<{ service: string; spans: number; share: number }>;
  hops: HopCompleteness[];
  clockSkew: { count: number; byHop: Array<{ hop: string; count: number; maxUs: number }> };
  /** Where the entry service and the expected edges came from (topology.ts): configured, mltrace's own traces, or inferred (no expected edges). */
  topology: TopologySource;
  tracedOperations: number;
  propagationRate: number;
  score: number;
  hopAtFault: string | null;
}

/**
 * The service requests enter through: configured, mltrace's gateway on mltrace's own traces, else
 * the most common service among the roots of request traces (a server or consumer root), else
 * among all roots.
 */
export function resolveEntryService(traces: readonly Trace[], opts: AnalysisOptions): string {
  const configured = resolveTopology(traces, opts).entryService;
  if (configured !== undefined) return configured;
  const requestRoots = new Map<string, number>();
  const anyRoots = new Map<string, number>();
  for (const t of traces) {
    const r = traceFacts(t).roots[0];
    if (r === undefined) continue;
    const root = t.spans[r] as Span;
    count(anyRoots, root.service);
    if (root.kind === 'server' || root.kind === 'consumer') count(requestRoots, root.service);
  }
  return mostCommon(requestRoots.size ? requestRoots : anyRoots) ?? '';
}

function mostCommon(m: ReadonlyMap<string, number>): string | undefined {
  let best: string | undefined;
  let n = -1;
  for (const [k, c] of m) if (c > n) [best, n] = [k, c];
  return best;
}

/**
 * Which ML context keys an attributes object carries, as a bit mask over CONTEXT_ATTRIBUTE_KEYS.
 * Loaded spans share equal attribute objects, so the masks are remembered per object (up to a
 * bound, so that data whose every span has its own attributes does not grow a map per span).
 */
class ContextMasks {
  private readonly cache = new Map<Span['attributes'], number>();

  of(attrs: Span['attributes']): number {
    const hit = this.cache.get(attrs);
    if (hit !== undefined) return hit;
    let mask = 0;
    for (let k = 0; k < CONTEXT_ATTRIBUTE_KEYS.length; k++) if (attrs[CONTEXT_ATTRIBUTE_KEYS[k] as string] !== undefined) mask |= 1 << k;
    if (this.cache.size < MAX_CACHED_MASKS) this.cache.set(attrs, mask);
    return mask;
  }
}
const MAX_CACHED_MASKS = 1 << 16;
if (CONTEXT_ATTRIBUTE_KEYS.length > 31) throw new Error('ContextMasks holds at most 31 context keys');

const MAX_EXAMPLES = 5;

function addExample(list: string[], traceId: string): void {
  if (list.length < MAX_EXAMPLES && !list.includes(traceId)) list.push(traceId);
}

function count<K>(m: Map<K, number>, k: K, by = 1): void {
  m.set(k, (m.get(k) ?? 0) + by);
}

export function completeness(traces: readonly Trace[], opts: AnalysisOptions = {}): CompletenessResult {
  const entry = resolveEntryService(traces, opts);
  const rules = edgeRules(traces, opts);
  const peers = peersFor(traces, opts);
  const edges = rules.map((r) => [r.from, r.to] as const);
  const expectedServices = [...new Set(edges.flat())];
  const skewTolerance = opts.clockSkewToleranceUs ?? 1000;
  const intoService = new Map<string, string>();
  for (const [a, b] of edges) if (!intoService.has(b)) intoService.set(b, `${a}→${b}`);

  let orphanSpans = 0;
  const orphansBySvc = new Map<string, number>();
  let external = 0;
  let multiRoot = 0;
  const downstream = new Map<string, number>();
  let entryTraces = 0;
  let presentSum = 0;
  const missingSvc = new Map<string, number>();
  const ctxMissingBySvc = new Map<string, number>();
  const spansBySvc = new Map<string, number>();
  type HopSums = HopCompleteness & { keys: Map<string, number>; firstCall: string | undefined };
  const hops = new Map<string, HopSums>();
  // from → to → hop: found without building the "from→to" name per call.
  const hopByPair = new Map<string, Map<string, HopSums>>();
  const masks = new ContextMasks();
  const skew = new Map<string, { count: number; maxUs: number }>();
  const hop = (from: string, to: string) => {
    let byTo = hopByPair.get(from);
    if (!byTo) hopByPair.set(from, (byTo = new Map()));
    let h = byTo.get(to);
    if (!h) {
      const name = `${from}→${to}`;
      h = hops.get(name);
      if (!h) hops.set(name, (h = { hop: name, from, to, calls: 0, contextLost: 0, missingKeys: [], traceContextLost: 0, broken: 0, exampleTraceIds: [], keys: new Map(), firstCall: undefined }));
      byTo.set(to, h);
    }
    return h;
  };

  for (const trace of traces) {
    const f = traceFacts(trace);
    const spans = trace.spans;
    if (f.roots.length > 1) multiRoot++;
    const first = f.roots[0] === undefined ? undefined : (spans[f.roots[0]] as Span);
    f.roots.forEach((r, idx) => {
      if (f.parent[r] !== MISSING_PARENT) return;
      const s = spans[r] as Span;
      if (idx === 0 && s.service === entry) external++;
      else {
        orphanSpans++;
        count(orphansBySvc, s.service);
      }
    });
    // A trace that is not a request entering the system (its root is not a server span of the
    // entry service) yet reaches a downstream service was split off: the call lost its context,
    // whether the callee's server span became the root or the caller's client span did (a call
    // made from an empty context). Only roots naming no parent count: one whose parent is named
    // but absent is an orphan instead (its caller's spans are missing, e.g. not exported yet).
    if (first && f.parent[f.roots[0] as number] === NO_PARENT && !(first.service === entry && first.kind === 'server')) {
      const reached = spans.find((s) => s.kind === 'server' && s.service !== entry);
      if (reached) {
        count(downstream, reached.service);
        const h = intoService.get(reached.service);
        if (h) {
          const [from = '', to = ''] = h.split('→');
          const broken = hop(from, to);
          broken.traceContextLost++;
          addExample(broken.exampleTraceIds, trace.traceId);
        }
      }
    }
    // Context the request carries: the keys on its root (bit k: CONTEXT_ATTRIBUTE_KEYS[k]).
    const required = first ? masks.of(first.attributes) : 0;
    for (let i = 0; i < spans.length; i++) {
      const s = spans[i] as Span;
      count(spansBySvc, s.service);
      const has = masks.of(s.attributes);
      if ((required & ~has) !== 0) count(ctxMissingBySvc, s.service);
      const p = f.parent[i] as number;
      if (p < 0) continue;
      const parent = spans[p] as Span;
      if (s.start < parent.start - skewTolerance || s.start + s.duration > parent.start + parent.duration + skewTolerance) {
        const name = `${parent.service}→${s.service}`;
        const k = skew.get(name) ?? { count: 0, maxUs: 0 };
        k.count++;
        k.maxUs = Math.max(k.maxUs, parent.start - s.start, s.start + s.duration - (parent.start + parent.duration));
        skew.set(name, k);
      }
      if (parent.service === s.service) continue;
      const h = hop(parent.service, s.service);
      h.calls++;
      h.firstCall ??= trace.traceId;
      const lost = masks.of(parent.attributes) & ~has;
      if (lost !== 0) {
        h.contextLost++;
        addExample(h.exampleTraceIds, trace.traceId);
        for (let k = 0; k < CONTEXT_ATTRIBUTE_KEYS.length; k++) if (lost & (1 << k)) count(h.keys, CONTEXT_ATTRIBUTE_KEYS[k] as string);
      }
    }
    if (first && first.service === entry && !f.failed && !f.rejected && expectedServices.includes(entry)) {
      entryTraces++;
      // The entry itself plus the callee of every expected edge that applies to this request.
      const want = new Set([entry]);
      edgeUse(trace, rules, peers).forEach((u, r) => {
        if (u.applies) want.add((rules[r] as { to: string }).to);
      });
      let present = 0;
      for (const svc of want) {
        if (hasService(spans, svc)) present++;
        else count(missingSvc, svc);
      }
      presentSum += present / want.size;
    }
  }

  let intact = 0;
  let broken = orphanSpans;
  const hopList: HopCompleteness[] = [...hops.values()].map(({ keys, firstCall, ...h }) => {
    if (!h.exampleTraceIds.length && firstCall !== undefined) h.exampleTraceIds.push(firstCall);
    h.missingKeys = [...keys].map(([key, n]) => ({ key, count: n })).sort((a, b) => b.count - a.count);
    h.broken = h.contextLost + h.traceContextLost;
    intact += h.calls - h.contextLost;
    broken += h.broken;
    return h;
  });
  hopList.sort((a, b) => b.broken - a.broken || b.calls - a.calls);
  const tracedOperations = entryTraces ? presentSum / entryTraces : 1;
  const propagationRate = intact + broken > 0 ? intact / (intact + broken) : 1;
  const faulty = hopList[0] && hopList[0].broken > 0 ? hopList[0].hop : null;
  return {
    entryService: entry,
    topology: resolveTopology(traces, opts).source,
    expectedServices,
    traces: traces.length,
    orphanSpans,
    orphansByService: [...orphansBySvc].map(([service, n]) => ({ service, count: n })).sort((a, b) => b.count - a.count),
    externalParentRoots: external,
    multiRootTraces: multiRoot,
    downstreamRoots: [...downstream].map(([service, n]) => ({ service, traces: n, hop: intoService.get(service) ?? `?→${service}` })).sort((a, b) => b.traces - a.traces),
    entryTraces,
    missingServices: [...missingSvc].map(([service, n]) => ({ service, traces: n, share: entryTraces ? n / entryTraces : 0 })).sort((a, b) => b.traces - a.traces),
    spansMissingContext: [...ctxMissingBySvc]
      .map(([service, n]) => ({ service, spans: n, share: n / (spansBySvc.get(service) ?? 1) }))
      .sort((a, b) => b.spans - a.spans),
    hops: hopList,
    clockSkew: {
      count: [...skew.values()].reduce((a, b) => a + b.count, 0),
      byHop: [...skew].map(([h, k]) => ({ hop: h, ...k })).sort((a, b) => b.count - a.count),
    },
    tracedOperations,
    propagationRate,
    score: tracedOperations * propagationRate,
    hopAtFault: faulty,
  };
}
