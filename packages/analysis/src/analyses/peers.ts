/**
 * Which service a client span calls. A client span normally has the callee's server span as a
 * child; a call that never reached its callee (connection refused, a service down or untraced)
 * has none, so it is attributed by what the client span says about its peer: `peer.service`, else
 * `server.address:server.port` (or the host:port of `url.full`) matched against the
 * `server.address:server.port` that services' own server spans report elsewhere in the data; a
 * port alone is used when only one service was seen on it.
 */
import { ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT, ATTR_URL_FULL } from '@opentelemetry/semantic-conventions';
import { ATTR_PEER_SERVICE } from '@mltrace/tracing/semconv';
import type { Span, Trace } from '../model';
import type { AnalysisOptions } from './options';
import { traceFacts } from './trace-facts';

export interface PeerIndex {
  byAddress: Map<string, string>;
  /** Port → service, or null when several services were seen on that port. */
  byPort: Map<string, string | null>;
  /** peerOf() per attributes object: loaded spans share equal attribute objects, so most lookups repeat. */
  byAttributes: Map<Span['attributes'], string | undefined>;
}

/** A plain constant: the incubating module is a dictionary-mode object, slow to read per span. */
const PEER_SERVICE: string = ATTR_PEER_SERVICE;

function endpointOf(span: Span): { host?: string; port?: string } {
  const host = span.attributes[ATTR_SERVER_ADDRESS];
  const port = span.attributes[ATTR_SERVER_PORT];
  if (port !== undefined) return { ...(host !== undefined ? { host: String(host) } : {}), port: String(port) };
  const url = span.attributes[ATTR_URL_FULL];
  if (typeof url === 'string') {
    try {
      const u = new URL(url);
      return { host: u.hostname, port: u.port || (u.protocol === 'https:' ? '443' : '80') };
    } catch {
      return {};
    }
  }
  return {};
}

/** Endpoints of the services' server spans across the data set. */
export function peerIndex(traces: readonly Trace[]): PeerIndex {
  const idx: PeerIndex = { byAddress: new Map(), byPort: new Map(), byAttributes: new Map() };
  // Loaded spans share equal attribute objects: parse each object's endpoint once.
  const endpoints = new Map<Span['attributes'], { address: string | undefined; port: string | undefined }>();
  for (const t of traces)
    for (const s of t.spans) {
      if (s.kind !== 'server') continue;
      let ep = endpoints.get(s.attributes);
      if (!ep) {
        const { host, port } = endpointOf(s);
        endpoints.set(s.attributes, (ep = { address: host !== undefined && port !== undefined ? `${host}:${port}` : undefined, port }));
      }
      const { address, port } = ep;
      if (port === undefined) continue;
      if (address !== undefined) idx.byAddress.set(address, s.service);
      const known = idx.byPort.get(port);
      if (known === undefined) idx.byPort.set(port, s.service);
      else if (known !== s.service) idx.byPort.set(port, null);
    }
  return idx;
}

/**
 * The index analyze() built over all traces and shared in the options (so the requests, a subset,
 * use the whole data set's servers, and each trace's callees, memoized per index, are found once),
 * else one over these traces.
 */
export function peersFor(traces: readonly Trace[], opts: AnalysisOptions): PeerIndex {
  return opts.peers ?? peerIndex(traces);
}

/** The service a client span calls when it has no server child, if its attributes tell. */
export function peerOf(span: Span, idx: PeerIndex): string | undefined {
  const attrs = span.attributes;
  if (idx.byAttributes.has(attrs)) return idx.byAttributes.get(attrs);
  const peer = findPeer(span, idx);
  idx.byAttributes.set(attrs, peer);
  return peer;
}

function findPeer(span: Span, idx: PeerIndex): string | undefined {
  const peer = span.attributes[PEER_SERVICE];
  if (peer !== undefined && peer !== '') return String(peer);
  const { host, port } = endpointOf(span);
  if (port === undefined) return undefined;
  return (host !== undefined ? idx.byAddress.get(`${host}:${port}`) : undefined) ?? idx.byPort.get(port) ?? undefined;
}

/**
 * The cross-service calls of one trace: client span index → the service it calls, answered (it has
 * a child span in that service) or not (attributed by its peer). Iterates answered calls first, in
 * the order of their first such child, then unanswered ones.
 * Parallel arrays: the memo keeps one per trace, and a Map of small objects cost several times more.
 */
export class Callees {
  constructor(
    readonly index: PeerIndex,
    private readonly spans: readonly number[],
    private readonly services: readonly string[],
    private readonly answeredCount: number,
  ) {}

  get(span: number): { service: string; answered: boolean } | undefined {
    const k = this.spans.indexOf(span);
    return k < 0 ? undefined : { service: this.services[k] as string, answered: k < this.answeredCount };
  }

  forEach(fn: (service: string, answered: boolean, span: number) => void): void {
    for (let k = 0; k < this.spans.length; k++) fn(this.services[k] as string, k < this.answeredCount, this.spans[k] as number);
  }

  /** True when a span of service `from` calls `to`. */
  has(spans: readonly Span[], from: string, to: string): boolean {
    for (let k = 0; k < this.spans.length; k++) if (this.services[k] === to && (spans[this.spans[k] as number] as Span).service === from) return true;
    return false;
  }
}

/** The memo lives on the trace under a symbol, like the trace facts (cheaper for the collector than a WeakMap). */
const CALLEES = Symbol('mltrace.callees');
type WithCallees = Trace & { [CALLEES]?: Callees };

/**
 * Per trace, the service each cross-service client span calls: its child in another service, else
 * (no such child) its peer. Same-service targets are left out (not a dependency).
 */
export function calleesOf(trace: Trace, idx: PeerIndex): Callees {
  const t = trace as WithCallees;
  const memo = t[CALLEES];
  if (memo && memo.index === idx) return memo;
  const callees = computeCallees(trace, idx);
  if (memo) t[CALLEES] = callees;
  else Object.defineProperty(t, CALLEES, { value: callees, enumerable: false, writable: true });
  return callees;
}

function computeCallees(trace: Trace, idx: PeerIndex): Callees {
  const f = traceFacts(trace);
  const spans = trace.spans;
  const callers: number[] = [];
  const services: string[] = [];
  // Per span: its position in the call list, or -1.
  const position = new Array<number>(spans.length).fill(-1);
  for (let i = 0; i < spans.length; i++) {
    const p = f.parent[i] as number;
    if (p >= 0 && (spans[p] as Span).kind === 'client' && (spans[p] as Span).service !== (spans[i] as Span).service) {
      // A later child in another service replaces the callee but keeps the call's place.
      if ((position[p] as number) >= 0) services[position[p] as number] = (spans[i] as Span).service;
      else {
        position[p] = callers.length;
        callers.push(p);
        services.push((spans[i] as Span).service);
      }
    }
  }
  const answered = callers.length;
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i] as Span;
    if (s.kind !== 'client' || (position[i] as number) >= 0) continue;
    const peer = peerOf(s, idx);
    if (peer !== undefined && peer !== s.service) {
      callers.push(i);
      services.push(peer);
    }
  }
  return new Callees(idx, callers, services, answered);
}
