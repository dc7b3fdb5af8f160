import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { AttributeValue, Attributes, Span, SpanEvent, SpanReference, StatusCode } from '../model';
import { intern } from '../intern';
import type { TraceCollector } from './collector';
import { RecordError } from './errors';
import {
  EMPTY_ATTRIBUTES,
  EMPTY_EVENTS,
  EMPTY_REFERENCES,
  ResourceCache,
  convertList,
  int64,
  isObject,
  type Json,
  internValue,
  nanosToMicros,
  normalizeId,
  normalizeKind,
} from './normalize';

const SERVICE_NAME: string = ATTR_SERVICE_NAME;
const UNKNOWN_SERVICE = 'unknown_service';

/** OTLP/JSON `AnyValue` → model value (int64 kept as a string when it does not fit a double). */
export function otlpValue(v: unknown): AttributeValue | undefined {
  if (!isObject(v)) return undefined;
  if ('stringValue' in v) return String(v.stringValue);
  if ('boolValue' in v) return v.boolValue === true || v.boolValue === 'true';
  if ('intValue' in v) return int64(v.intValue);
  if ('doubleValue' in v) {
    const d = v.doubleValue;
    return typeof d === 'number' ? d : Number(d); // "NaN"/"Infinity" arrive as strings
  }
  if ('bytesValue' in v) return String(v.bytesValue);
  if ('arrayValue' in v) {
    const values = isObject(v.arrayValue) && Array.isArray(v.arrayValue.values) ? v.arrayValue.values : [];
    const out: Array<string | number | boolean> = [];
    for (const item of values) {
      const x = otlpValue(item);
      if (x === undefined) continue;
      out.push(Array.isArray(x) ? JSON.stringify(x) : x);
    }
    return out;
  }
  if ('kvlistValue' in v) {
    // The model keeps flat values; a nested map is kept as its JSON text.
    const obj: Record<string, unknown> = {};
    const values = isObject(v.kvlistValue) && Array.isArray(v.kvlistValue.values) ? v.kvlistValue.values : [];
    for (const kv of values) if (isObject(kv)) obj[String(kv.key)] = otlpValue(kv.value);
    return JSON.stringify(obj);
  }
  return undefined;
}

/**
 * Spans of a pipeline repeat the same attribute sets (the ML context is copied onto every span), so
 * equal sets share one frozen object: far less memory and GC, and no object to build on a hit. Sets are
 * found through a trie keyed by the interned key and value strings, whose hashes V8 caches, so a lookup
 * costs about as much as reading the attributes. Arrays and long strings make a set unshared.
 */
interface AttributeNode {
  next: Map<string, Map<string | number | boolean, AttributeNode>> | undefined;
  shared: Attributes | undefined;
  /** The step taken last from this node: consecutive spans mostly repeat it, and comparing skips hashing. */
  lastKey: string | undefined;
  lastValue: string | number | boolean | undefined;
  lastChild: AttributeNode | undefined;
}

const MAX_SHARED_VALUE = 96;
const MAX_NODES = 500_000;
/**
 * A key that takes this many values after the same prefix is one of unique-ish values (a confidence,
 * a port, a size): sets with it are built per span instead of growing the trie by a node (and two
 * maps) per value, which cost far more memory and time than they could save.
 */
const MAX_VALUES_PER_KEY = 64;
const attributeRoot: AttributeNode = { next: undefined, shared: undefined, lastKey: undefined, lastValue: undefined, lastChild: undefined };
let attributeNodes = 0;

function step(node: AttributeNode, key: string, value: string | number | boolean): AttributeNode | undefined {
  if (node.lastKey === key && node.lastValue === value && node.lastChild !== undefined) return node.lastChild;
  const byValue = node.next?.get(key);
  let child = byValue?.get(value);
  if (child === undefined) child = newChild(node, byValue, key, value);
  if (child !== undefined) {
    node.lastKey = key;
    node.lastValue = value;
    node.lastChild = child;
  }
  return child;
}

function newChild(node: AttributeNode, known: Map<string | number | boolean, AttributeNode> | undefined, key: string, value: string | number | boolean): AttributeNode | undefined {
  let byValue = known;
  if (attributeNodes >= MAX_NODES || (byValue !== undefined && byValue.size >= MAX_VALUES_PER_KEY)) return undefined;
  attributeNodes++;
  const child: AttributeNode = { next: undefined, shared: undefined, lastKey: undefined, lastValue: undefined, lastChild: undefined };
  if (byValue === undefined) {
    byValue = new Map();
    (node.next ??= new Map()).set(intern(key), byValue);
  }
  byValue.set(typeof value === 'string' ? intern(value) : value, child);
  return child;
}

/**
 * Builds one span's attribute set, step by step through the trie, so that both the converter (over
 * parsed JSON) and the line scanner (over bytes) share the same sets. One builder is used at a time.
 */
export class AttributeSetBuilder {
  private node: AttributeNode | undefined = attributeRoot;
  private n = 0;
  private readonly keys: string[] = [];
  private readonly values: AttributeValue[] = [];

  reset(): void {
    this.node = attributeRoot;
    this.n = 0;
  }

  /**
   * The trie matches strings by content, so parsed strings are used as they are; they are interned
   * only when a new object is built (a miss), which is rare for pipeline spans.
   */
  add(key: string, value: AttributeValue): void {
    this.keys[this.n] = key;
    this.values[this.n] = value;
    this.n++;
    const node = this.node;
    if (node !== undefined) {
      this.node = Array.isArray(value) || (typeof value === 'string' && value.length > MAX_SHARED_VALUE) ? undefined : step(node, key, value);
    }
  }

  build(): Attributes {
    const n = this.n;
    if (n === 0) return EMPTY_ATTRIBUTES;
    const node = this.node;
    if (node?.shared !== undefined) return node.shared;
    const out: Attributes = {};
    for (let i = 0; i < n; i++) out[intern(this.keys[i]!)] = internValue(this.values[i]!);
    if (node !== undefined) node.shared = Object.freeze(out);
    return out;
  }
}

const builder = new AttributeSetBuilder();

export function otlpAttributes(list: unknown): Attributes {
  if (!Array.isArray(list) || list.length === 0) return EMPTY_ATTRIBUTES;
  builder.reset();
  for (const kv of list) {
    if (!isObject(kv) || typeof kv.key !== 'string') continue;
    const value = otlpValue(kv.value);
    if (value !== undefined) builder.add(kv.key, value);
  }
  return builder.build();
}

export const STATUS: Record<string, StatusCode> = {
  '0': 'unset',
  '1': 'ok',
  '2': 'error',
  STATUS_CODE_UNSET: 'unset',
  STATUS_CODE_OK: 'ok',
  STATUS_CODE_ERROR: 'error',
};

/**
 * Converts OTLP/JSON `ResourceSpans` into model spans and feeds them to a collector. One instance per
 * load, so resource attribute objects are shared across all lines/documents of that load.
 */
export class OtlpConverter {
  private readonly resources = new ResourceCache();
  constructor(private readonly collector: TraceCollector) {}

  /** A whole `ExportTraceServiceRequest` (or the `result` of a Jaeger API v3 response). */
  addRequest(doc: unknown, where: string): void {
    if (!isObject(doc) || !Array.isArray(doc.resourceSpans)) {
      throw new RecordError('not an OTLP ExportTraceServiceRequest (no resourceSpans array)');
    }
    for (let i = 0; i < doc.resourceSpans.length; i++) {
      this.addResourceSpans(doc.resourceSpans[i], `${where} resourceSpans[${i}]`);
    }
  }

  addResourceSpans(rs: unknown, where: string): void {
    if (!isObject(rs)) {
      this.collector.skip(`${where}: not an object`);
      return;
    }
    const { service, attrs } = this.resource(rs.resource);
    // `instrumentationLibrarySpans` is the pre-1.0 OTLP name of scopeSpans.
    const scopes = Array.isArray(rs.scopeSpans)
      ? rs.scopeSpans
      : Array.isArray(rs.instrumentationLibrarySpans)
        ? rs.instrumentationLibrarySpans
        : [];
    for (let s = 0; s < scopes.length; s++) {
      const scope = scopes[s];
      if (!isObject(scope) || !Array.isArray(scope.spans)) continue;
      const spans = scope.spans;
      for (let k = 0; k < spans.length; k++) {
        try {
          this.collector.add(this.convertSpan(spans[k], service, attrs));
        } catch (err) {
          if (!(err instanceof RecordError)) throw err;
          const id = isObject(spans[k]) ? ` (span ${String((spans[k] as Json).spanId)})` : '';
          this.collector.skip(`${where} scopeSpans[${s}] spans[${k}]${id}: ${err.message}`);
        }
      }
    }
  }

  /** The shared attributes and service name of a `resource` object (any value: a non-object is an empty resource). */
  resource(raw: unknown): { service: string; attrs: Attributes } {
    const resource = isObject(raw) ? raw : {};
    const rawAttrs = Array.isArray(resource.attributes) ? resource.attributes : [];
    const attrs = this.resources.get(JSON.stringify(rawAttrs), () => {
      const out = { ...otlpAttributes(rawAttrs) }; // a copy: the converted set may be a shared frozen one
      // As the OTel SDK does for a resource without a service name.
      const name = out[SERVICE_NAME];
      if (typeof name !== 'string' || name === '') out[SERVICE_NAME] = UNKNOWN_SERVICE;
      return out;
    });
    return { service: attrs[SERVICE_NAME] as string, attrs };
  }

  private convertSpan(raw: unknown, service: string, resource: Attributes): Span {
    if (!isObject(raw)) throw new RecordError('span is not an object');
    const traceId = normalizeId(raw.traceId, 32, 'traceId');
    const spanId = normalizeId(raw.spanId, 16, 'spanId');
    const parent = raw.parentSpanId;
    const parentSpanId = typeof parent === 'string' && parent !== '' ? normalizeId(parent, 16, 'parentSpanId') : undefined;
    const start = nanosToMicros(raw.startTimeUnixNano, 'startTimeUnixNano');
    const end = nanosToMicros(raw.endTimeUnixNano, 'endTimeUnixNano');
    // Allocated only for the rare span that needs one.
    let warnings: string[] | undefined;
    if (start === undefined) (warnings ??= []).push('span has no start time');
    let duration = start !== undefined && end !== undefined ? end - start : 0;
    if (duration < 0) {
      (warnings ??= []).push(`end time before start time by ${-duration} µs; duration set to 0`);
      duration = 0;
    }
    const status = isObject(raw.status) ? raw.status : {};
    const code = STATUS[String(status.code ?? 0)] ?? 'unset';
    const span: Span = {
      traceId,
      spanId,
      parentSpanId,
      references: this.links(raw.links),
      name: intern(typeof raw.name === 'string' ? raw.name : ''),
      service,
      kind: normalizeKind(raw.kind),
      start: start ?? 0,
      duration,
      status: code,
      statusMessage: typeof status.message === 'string' && status.message !== '' ? status.message : undefined,
      attributes: otlpAttributes(raw.attributes),
      resource,
      events: this.events(raw.events),
      warnings,
    };
    return span;
  }

  /** OTLP `links` (parsed JSON) → references; the shared empty list when there are none. */
  links(raw: unknown): SpanReference[] {
    return convertList(raw, EMPTY_REFERENCES, (link) => {
      try {
        return { type: 'LINK', traceId: normalizeId(link.traceId, 32, 'link traceId'), spanId: normalizeId(link.spanId, 16, 'link spanId') };
      } catch {
        return undefined; // a malformed link does not make the span unusable
      }
    });
  }

  /** OTLP `events` (parsed JSON) → events; the shared empty list when there are none. */
  events(raw: unknown): SpanEvent[] {
    return convertList(raw, EMPTY_EVENTS, (ev) => {
      let time = 0;
      try {
        time = nanosToMicros(ev.timeUnixNano, 'event time') ?? 0;
      } catch {
        // keep the event without a time
      }
      return { time, name: intern(typeof ev.name === 'string' ? ev.name : ''), attributes: otlpAttributes(ev.attributes) };
    });
  }
}
