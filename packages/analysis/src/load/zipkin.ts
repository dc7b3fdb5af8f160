/**
 * Zipkin v2 JSON (what Zipkin's API `/api/v2/trace/{id}` and its UI give): an array of spans
 * `{traceId, id, parentId?, kind?, name, timestamp µs, duration µs, localEndpoint{serviceName},
 * remoteEndpoint{serviceName, ipv4, port}, tags{k: string}, annotations[{timestamp, value}], shared?}`,
 * or a list of such arrays (`/api/v2/traces`).
 *
 * Zipkin's RPC spans are often *shared*: the client and the server half of one call carry the same
 * span id. They are separated the way Jaeger does it (its span-ID deduper adjuster): a server span
 * whose id a client span of the trace also has gets a new id (one above the largest id of the trace,
 * counting up), its parent becomes the shared id (the client half), and the spans that named the
 * shared id as their parent become children of the server half.
 *
 * Mapped like Jaeger's Zipkin translator: kind from `kind` (none: unspecified), `error` tag → error
 * status with the tag's text as message, remoteEndpoint.serviceName → `peer.service`,
 * remoteEndpoint ipv4/ipv6/port → `peer.ipv4`/`peer.ipv6`/`peer.port`, annotations → events.
 */
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { ATTR_PEER_SERVICE } from '@mltrace/tracing/semconv';
import { intern } from '../intern';
import type { Attributes, Span, SpanEvent, SpanKind, StatusCode } from '../model';
import type { TraceCollector } from './collector';
import { RecordError } from './errors';
import { EMPTY_ATTRIBUTES, EMPTY_EVENTS, EMPTY_REFERENCES, isObject, normalizeId, ResourceCache, type Json } from './normalize';

const KINDS: Record<string, SpanKind> = { CLIENT: 'client', SERVER: 'server', PRODUCER: 'producer', CONSUMER: 'consumer' };

/** A Zipkin v2 span: `traceId` and `id`, no Jaeger/OTLP `spanId`. */
export function isZipkinSpan(v: unknown): v is Json {
  return isObject(v) && typeof v.traceId === 'string' && typeof v.id === 'string' && !('spanId' in v) && !('spanID' in v);
}

function micros(v: unknown, what: string): number {
  if (v === undefined || v === null) return 0;
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) throw new RecordError(`${what} is not a non-negative number of µs: ${JSON.stringify(v)}`);
  return Math.round(n);
}

export class ZipkinConverter {
  private readonly resources = new ResourceCache();

  constructor(private readonly collector: TraceCollector) {}

  /** One Zipkin document: its spans, grouped by trace so shared ids are resolved per trace. */
  addSpans(list: readonly unknown[], where: string): void {
    const byTrace = new Map<string, Span[]>();
    const records = mergeFragments(list, (i, why) => this.collector.skip(`${where} [${i}]: ${why}`));
    for (const [i, record] of records) {
      try {
        const span = this.convert(record, i);
        const spans = byTrace.get(span.traceId);
        if (spans) spans.push(span);
        else byTrace.set(span.traceId, [span]);
      } catch (err) {
        if (!(err instanceof RecordError)) throw err;
        this.collector.skip(`${where} [${i}]: ${err.message}`);
      }
    }
    for (const spans of byTrace.values()) {
      separateSharedSpans(spans);
      for (const s of spans) this.collector.add(s);
    }
  }

  private convert(raw: unknown, i: number): Span {
    if (!isZipkinSpan(raw)) throw new RecordError(`element ${i} is not a Zipkin span (traceId and id)`);
    const traceId = normalizeId(raw.traceId, 32, 'traceId');
    const spanId = normalizeId(raw.id, 16, 'id');
    const parentSpanId = typeof raw.parentId === 'string' && raw.parentId !== '' ? normalizeId(raw.parentId, 16, 'parentId') : undefined;
    const local = isObject(raw.localEndpoint) ? raw.localEndpoint : {};
    const service = typeof local.serviceName === 'string' && local.serviceName !== '' ? local.serviceName : 'unknown_service';
    const resource = this.resources.get(service, () => ({ [ATTR_SERVICE_NAME]: intern(service) }));
    const attributes: Attributes = {};
    let status: StatusCode = 'unset';
    let statusMessage: string | undefined;
    if (isObject(raw.tags)) {
      for (const [k, v] of Object.entries(raw.tags)) {
        if (k === 'error') {
          status = 'error';
          if (typeof v === 'string' && v !== '' && v !== 'true') statusMessage = v;
        }
        attributes[intern(k)] = typeof v === 'string' ? intern(v) : String(v);
      }
    }
    if (isObject(raw.remoteEndpoint)) {
      const r = raw.remoteEndpoint;
      if (typeof r.serviceName === 'string' && r.serviceName !== '') attributes[ATTR_PEER_SERVICE] = intern(r.serviceName);
      if (typeof r.ipv4 === 'string') attributes['peer.ipv4'] = r.ipv4;
      if (typeof r.ipv6 === 'string') attributes['peer.ipv6'] = r.ipv6;
      if (typeof r.port === 'number') attributes['peer.port'] = r.port;
    }
    const events: SpanEvent[] = Array.isArray(raw.annotations)
      ? raw.annotations.filter(isObject).map((a) => ({ time: micros(a.timestamp, 'annotation timestamp'), name: intern(String(a.value ?? '')), attributes: EMPTY_ATTRIBUTES }))
      : EMPTY_EVENTS;
    return {
      traceId,
      spanId,
      parentSpanId: parentSpanId === spanId ? undefined : parentSpanId,
      references: EMPTY_REFERENCES,
      name: intern(typeof raw.name === 'string' ? raw.name : ''),
      service: resource[ATTR_SERVICE_NAME] as string,
      kind: typeof raw.kind === 'string' ? (KINDS[raw.kind.toUpperCase()] ?? 'unspecified') : 'unspecified',
      start: micros(raw.timestamp, 'timestamp'),
      duration: micros(raw.duration, 'duration'),
      status,
      ...(statusMessage !== undefined ? { statusMessage } : {}),
      attributes: Object.keys(attributes).length ? attributes : EMPTY_ATTRIBUTES,
      resource,
      events: events.length ? events : EMPTY_EVENTS,
    };
  }
}

/**
 * A record without a timestamp is a fragment of a span reported elsewhere (a proxy's or a late
 * reporter's tags for the same id): as Zipkin merges such records, its tags join the span with the
 * same trace and id that has a timestamp (the client half first), the tags already there winning.
 * A fragment with no such span cannot be placed in time and is skipped with its reason.
 */
function mergeFragments(list: readonly unknown[], skip: (i: number, why: string) => void): Array<[number, unknown]> {
  const key = (r: Json) => `${String(r.traceId)}\u0000${String(r.id)}`;
  const timed = new Map<string, Json>();
  list.forEach((r) => {
    if (!isZipkinSpan(r) || r.timestamp === undefined || r.timestamp === null) return;
    const k = key(r);
    const known = timed.get(k);
    if (!known || (known.kind !== 'CLIENT' && r.kind === 'CLIENT')) timed.set(k, r);
  });
  const out: Array<[number, unknown]> = [];
  list.forEach((r, i) => {
    if (!isZipkinSpan(r) || (r.timestamp !== undefined && r.timestamp !== null)) {
      out.push([i, r]);
      return;
    }
    const into = timed.get(key(r));
    if (!into) {
      skip(i, `Zipkin span ${String(r.id)} has no timestamp and no other record of its id has one`);
      return;
    }
    if (isObject(r.tags)) into.tags = { ...r.tags, ...(isObject(into.tags) ? into.tags : {}) };
  });
  return out;
}

/**
 * Jaeger's span-ID deduper on one trace's spans (in place): each server span sharing its id with a
 * client span gets max(id) + 1, + 2, … in trace order; its parent becomes the shared id; spans whose
 * parent was the shared id now point at the new id (of the last server span with that id, as in
 * Jaeger). Other spans that share the id (a local span without kind) keep it.
 */
export function separateSharedSpans(spans: Span[]): void {
  const clientIds = new Set(spans.filter((s) => s.kind === 'client').map((s) => s.spanId));
  if (!clientIds.size) return;
  let maxId = 0n;
  for (const s of spans) if (/^[0-9a-f]{16}$/.test(s.spanId) && BigInt(`0x${s.spanId}`) > maxId) maxId = BigInt(`0x${s.spanId}`);
  const renamed = new Map<string, string>();
  for (const s of spans) {
    if (s.kind !== 'server' || !clientIds.has(s.spanId)) continue;
    maxId += 1n;
    const newId = maxId.toString(16).padStart(16, '0');
    renamed.set(s.spanId, newId);
    s.parentSpanId = s.spanId;
    s.spanId = newId;
  }
  if (!renamed.size) return;
  for (const s of spans) {
    const p = s.parentSpanId === undefined ? undefined : renamed.get(s.parentSpanId);
    if (p !== undefined && s.spanId !== p) s.parentSpanId = p;
  }
}
