/**
 * Which expected edges a trace should show. An expected edge A→B applies to a trace only when
 * the request was accepted (neither rejected with a 4xx nor failed: both legitimately stop the
 * pipeline early), A took part, and either the edge is unconditional ('always') or A made a
 * client call to B ('called': a hop is missing only if the caller tried to make it, e.g. the
 * feature store for requests that send entity ids, not raw feature vectors). It is present when
 * B's spans are in the trace.
 */
import type { Span, Trace } from '../model';
import type { AnalysisOptions } from './options';
import { resolveTopology } from './topology';
import { calleesOf, type PeerIndex } from './peers';
import { traceFacts } from './trace-facts';

export interface EdgeRule {
  from: string;
  to: string;
  mode: 'always' | 'called';
}

export function edgeRules(traces: readonly Trace[], opts: AnalysisOptions): EdgeRule[] {
  return resolveTopology(traces, opts).expectedEdges.map(([from, to, mode]) => ({ from, to, mode: mode ?? 'always' }));
}

/**
 * True when a span of the trace belongs to `service`. A scan: the few services asked about per
 * trace cost less than building a Set of every trace's services.
 */
export function hasService(spans: readonly Span[], service: string): boolean {
  for (let i = 0; i < spans.length; i++) if ((spans[i] as Span).service === service) return true;
  return false;
}

/** Per rule, whether it applies to this trace and whether its callee is present (`peers`: see peersFor). */
export function edgeUse(trace: Trace, rules: readonly EdgeRule[], peers: PeerIndex): Array<{ applies: boolean; present: boolean }> {
  const f = traceFacts(trace);
  const accepted = !f.rejected && !f.failed;
  return rules.map((r) => {
    const applies = accepted && hasService(trace.spans, r.from) && (r.mode === 'always' || calleesOf(trace, peers).has(trace.spans, r.from, r.to));
    return { applies, present: applies && hasService(trace.spans, r.to) };
  });
}
