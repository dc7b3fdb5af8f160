/**
 * Which service a client span calls. A client span normally has the callee's server span as a
 * child; a call that never reached its callee (connection refused, a service down or untraced)
 * has none, so it is attributed by what the client span says about its peer: `peer.service`, else
 * `server.address:server.port` (or the host:port of `url.full`) matched against the
 * `server.address:server.port` that services' own server spans report elsewhere in the data; a
 * port alone is used when only one service was seen on it.
 */
import { ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT, ATTR_URL_FULL } from '@opentelemetry/semantic-conventions';
import { ATTR_PEER_SERVICE } from '@opentelemetry/semantic-conventions/incubating';
import type { Span, Trace } from '../model';
import { traceFacts } from './trace-facts';

export interface PeerIndex {
  byAddress: Map<string, string>;
  /** Port → service, or null when several services were seen on that port. */
  byPort: Map<string, string | null>;
  /** peerOf() per attributes object: loaded spans share equal attribute objects, so most lookups repeat. */
  byAttributes: Map<Span['attributes'], string | undefined>;
}

const cache = new WeakMap<readonly Trace[], PeerIndex>();

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

/** Endpoints of the services' server spans across the data set (memoized per traces array). */
export function peerIndex(traces: readonly Trace[]): PeerIndex {
  let idx = cache.get(traces);
  if (idx) return idx;
  idx = { byAddress: new Map(), byPort: new Map(), byAttributes: new Map() };
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
  cache.set(traces, idx);
  return idx;
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
  const peer = span.attributes[ATTR_PEER_SERVICE];
  if (peer !== undefined && peer !== '') return String(peer);
  const { host, port } = endpointOf(span);
  if (port === undefined) return undefined;
  return (host !== undefined ? idx.byAddress.get(`${host}:${port}`) : undefined) ?? idx.byPort.get(port) ?? undefined;
}

/**
 * Per trace, the service each cross-service client span calls: its child in another service, else
 * (no such child) its peer. Same-service targets are left out (not a dependency).
 */
const calleeMemo = new WeakMap<Trace, { idx: PeerIndex; callees: Map<number, { service: string; answered: boolean }> }>();

export function calleesOf(trace: Trace, idx: PeerIndex): Map<number, { service: string; answered: boolean }> {
  const memo = calleeMemo.get(trace);
  if (memo && memo.idx === idx) return memo.callees;
  const callees = computeCallees(trace, idx);
  calleeMemo.set(trace, { idx, callees });
  return callees;
}

function computeCallees(trace: Trace, idx: PeerIndex): Map<number, { service: string; answered: boolean }> {
  const f = traceFacts(trace);
  const spans = trace.spans;
  const out = new Map<number, { service: string; answered: boolean }>();
  for (let i = 0; i < spans.length; i++) {
    const p = f.parent[i] as number;
    if (p >= 0 && (spans[p] as Span).kind === 'client' && (spans[p] as Span).service !== (spans[i] as Span).service) out.set(p, { service: (spans[i] as Span).service, answered: true });
  }
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i] as Span;
    if (s.kind !== 'client' || out.has(i)) continue;
    const peer = peerOf(s, idx);
    if (peer !== undefined && peer !== s.service) out.set(i, { service: peer, answered: false });
  }
  return out;
}
