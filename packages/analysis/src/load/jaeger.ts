import { ATTR_OTEL_STATUS_CODE, ATTR_OTEL_STATUS_DESCRIPTION, ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { AttributeValue, Attributes, Span, SpanEvent, SpanKind, SpanReference, StatusCode } from '../model';
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
  micros,
  normalizeId,
  normalizeKind,
} from './normalize';

/** Tags turned into model fields rather than kept as attributes (`span.kind` is Jaeger's own, not an OTel attribute). */
export const KIND_TAG = 'span.kind';
export const OTEL_STATUS_CODE: string = ATTR_OTEL_STATUS_CODE;
export const OTEL_STATUS_DESCRIPTION: string = ATTR_OTEL_STATUS_DESCRIPTION;
export const ERROR_TAG = 'error';

/** A span's status from its `otel.status_code` and `error` tags (their last values when repeated). */
export function statusFromTags(otelStatus: AttributeValue | undefined, error: AttributeValue | undefined): StatusCode {
  // Jaeger's `error` tag: true or "true" marks an error (the UI also counts the string "false"; we do not).
  if (error === true || error === 'true') return 'error';
  if (typeof otelStatus !== 'string') return 'unset';
  const code = otelStatus.toUpperCase();
  return code === 'ERROR' ? 'error' : code === 'OK' ? 'ok' : 'unset';
}

/** A span's status message from its `otel.status_description` tag. */
export function statusMessageFromTag(description: AttributeValue | undefined): string | undefined {
  return typeof description === 'string' && description !== '' ? description : undefined;
}

/**
 * One Jaeger tag (UI/Query API `{key, type, value}`, or domain-model `{key, vType, vStr|vInt64|…}`) → value.
 * int64 that does not fit a double stays a string; binary stays base64.
 */
export function tagValue(tag: Json): AttributeValue | undefined {
  if ('value' in tag) {
    const type = typeof tag.type === 'string' ? tag.type.toLowerCase() : '';
    const v = tag.value;
    if (type === 'int64') return int64(v);
    if (type === 'float64') return typeof v === 'number' ? v : Number(v);
    if (type === 'bool') return v === true || v === 'true';
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
    return v === null || v === undefined ? undefined : JSON.stringify(v);
  }
  // Domain model: a missing vType means STRING.
  const vType = typeof tag.vType === 'string' ? tag.vType.toUpperCase() : 'STRING';
  switch (vType) {
    case 'INT64':
      return int64(tag.vInt64 ?? 0);
    case 'FLOAT64':
      return Number(tag.vFloat64 ?? 0);
    case 'BOOL':
      return tag.vBool === true;
    case 'BINARY':
      return String(tag.vBinary ?? '');
    default:
      return String(tag.vStr ?? '');
  }
}

function tagsToAttributes(tags: unknown, into?: Attributes): Attributes {
  if (!Array.isArray(tags) || tags.length === 0) return into ?? EMPTY_ATTRIBUTES;
  const out: Attributes = into ?? {};
  for (const tag of tags) {
    if (!isObject(tag) || typeof tag.key !== 'string') continue;
    const v = tagValue(tag);
    if (v !== undefined) out[intern(tag.key)] = internValue(v);
  }
  return out;
}

const DURATION = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s)$/;
const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|z|[+-]\d\d:\d\d)$/;
const UNIT_TO_MICROS: Record<string, number> = { ns: 1e-3, us: 1, µs: 1, ms: 1e3, s: 1e6 };

/** µs since epoch from an RFC 3339 time with up to nanosecond precision (domain-model JSON). */
export function rfc3339ToMicros(raw: string): number {
  const m = RFC3339.exec(raw);
  if (!m) throw new RecordError(`not an RFC 3339 time: ${JSON.stringify(raw)}`);
  const seconds = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(seconds)) throw new RecordError(`not an RFC 3339 time: ${JSON.stringify(raw)}`);
  const frac = (m[2] ?? '').padEnd(6, '0').slice(0, 6);
  return seconds * 1000 + Number(frac);
}

function timeMicros(raw: unknown, what: string): number {
  if (typeof raw === 'string' && raw.includes('T')) return rfc3339ToMicros(raw);
  return micros(raw, what);
}

function durationMicros(raw: unknown): number {
  if (typeof raw === 'string') {
    const m = DURATION.exec(raw);
    if (m) return Math.floor(Number(m[1]) * UNIT_TO_MICROS[m[2]!]!);
  }
  return micros(raw, 'duration');
}

/** Jaeger UI's choice of parent: the first CHILD_OF into this trace, else the first FOLLOWS_FROM into it. */
export function parentOf(references: readonly SpanReference[], traceId: string): string | undefined {
  let followsFrom: string | undefined;
  for (const ref of references) {
    if (ref.traceId !== traceId) continue;
    if (ref.type === 'CHILD_OF') return ref.spanId;
    if (ref.type === 'FOLLOWS_FROM') followsFrom ??= ref.spanId;
  }
  return followsFrom;
}

/** A Jaeger process: the service name and the resource attributes its spans share. */
export interface Process {
  service: string;
  resource: Attributes;
}

/**
 * Converts Jaeger JSON (UI / Query API v1 traces and spans, spans with an inline `process` as in
 * Elasticsearch documents and the anonymizer, and the domain-model protobuf JSON) into model spans.
 */
export class JaegerConverter {
  private readonly resources = new ResourceCache();
  constructor(private readonly collector: TraceCollector) {}

  /** A trace object `{traceID?, spans, processes?, warnings?}`. */
  addTrace(trace: unknown, where: string): void {
    if (!isObject(trace) || !Array.isArray(trace.spans)) throw new RecordError('not a Jaeger trace (no spans array)');
    const processOf = this.processTable(isObject(trace.processes) ? trace.processes : isObject(trace.processMap) ? trace.processMap : {});
    let traceId: string | undefined;
    for (let i = 0; i < trace.spans.length; i++) {
      const raw = trace.spans[i];
      try {
        const span = this.convertSpan(raw, processOf);
        traceId ??= span.traceId;
        this.collector.add(span);
      } catch (err) {
        if (!(err instanceof RecordError)) throw err;
        const id = isObject(raw) ? ` (span ${String(raw.spanID ?? raw.spanId)})` : '';
        this.collector.skip(`${where} spans[${i}]${id}: ${err.message}`);
      }
    }
    const warnings = Array.isArray(trace.warnings) ? trace.warnings.map(String) : [];
    if (warnings.length > 0) {
      const id = traceId ?? (typeof trace.traceID === 'string' ? normalizeId(trace.traceID, 32, 'traceID') : undefined);
      if (id !== undefined) this.collector.addTraceWarnings(id, warnings);
    }
  }

  /** A single span that carries its own `process` (ES document, anonymizer line). */
  addSpan(raw: unknown, where: string): void {
    try {
      this.collector.add(this.convertSpan(raw, () => this.process(undefined)));
    } catch (err) {
      if (!(err instanceof RecordError)) throw err;
      const id = isObject(raw) ? ` (span ${String(raw.spanID ?? raw.spanId)})` : '';
      this.collector.skip(`${where}${id}: ${err.message}`);
    }
  }

  /** A trace's `processes` table as a lookup by process id (each id converted once per trace). */
  processTable(processes: Json): (id: string) => Process {
    const cache = new Map<string, Process>();
    return (id) => {
      let p = cache.get(id);
      if (p === undefined) {
        p = this.process(processes[id]);
        cache.set(id, p);
      }
      return p;
    };
  }

  /** A process given as an object (a trace's `processes` entry, or inline in a span as Elasticsearch stores it). */
  process(raw: unknown): Process {
    if (!isObject(raw)) return this.process({ serviceName: 'unknown_service' });
    const key = JSON.stringify(raw);
    let service = '';
    const resource = this.resources.get(key, () => {
      const attrs: Attributes = {};
      tagsToAttributes(raw.tags, attrs);
      attrs[ATTR_SERVICE_NAME] = intern(typeof raw.serviceName === 'string' && raw.serviceName !== '' ? raw.serviceName : 'unknown_service');
      return attrs;
    });
    service = resource[ATTR_SERVICE_NAME] as string;
    return { service, resource };
  }

  private convertSpan(raw: unknown, processOf: (id: string) => Process): Span {
    if (!isObject(raw)) throw new RecordError('span is not an object');
    const traceId = normalizeId(raw.traceID ?? raw.traceId, 32, 'traceID');
    const spanId = normalizeId(raw.spanID ?? raw.spanId, 16, 'spanID');
    // Report every problem of the span at once, not just the first.
    const problems: string[] = [];
    const attempt = <T>(f: () => T): T | undefined => {
      try {
        return f();
      } catch (err) {
        if (!(err instanceof RecordError)) throw err;
        problems.push(err.message);
        return undefined;
      }
    };
    const start = attempt(() => {
      if (raw.startTime === undefined || raw.startTime === null) throw new RecordError('startTime is missing');
      return timeMicros(raw.startTime, 'startTime');
    });
    const duration = attempt(() => {
      const d = durationMicros(raw.duration);
      if (d < 0) throw new RecordError(`negative duration ${d}`);
      return d;
    });
    if (start === undefined || duration === undefined) throw new RecordError(problems.join('; '));
    const proc = isObject(raw.process) ? this.process(raw.process) : processOf(String(raw.processID ?? ''));

    const references = this.references(raw.references);
    const parentSpanId = parentOf(references, traceId);

    let kind: SpanKind = 'unspecified';
    let status: StatusCode = 'unset';
    let statusMessage: string | undefined;
    let attributes = tagsToAttributes(raw.tags);
    if (attributes !== EMPTY_ATTRIBUTES) {
      const k = attributes[KIND_TAG];
      if (k !== undefined) kind = normalizeKind(k);
      const otelStatus = attributes[OTEL_STATUS_CODE];
      status = statusFromTags(otelStatus, attributes[ERROR_TAG]);
      const desc = attributes[OTEL_STATUS_DESCRIPTION];
      statusMessage = statusMessageFromTag(desc);
      if (k !== undefined || otelStatus !== undefined || desc !== undefined) {
        attributes = { ...attributes };
        delete attributes[KIND_TAG];
        delete attributes[OTEL_STATUS_CODE];
        delete attributes[OTEL_STATUS_DESCRIPTION];
      }
    }
    const warnings = Array.isArray(raw.warnings) && raw.warnings.length > 0 ? raw.warnings.map(String) : undefined;
    return {
      traceId,
      spanId,
      parentSpanId,
      references,
      name: intern(typeof raw.operationName === 'string' ? raw.operationName : ''),
      service: proc.service,
      kind,
      start,
      duration,
      status,
      statusMessage,
      attributes,
      resource: proc.resource,
      events: this.logs(raw.logs),
      warnings,
    };
  }

  references(raw: unknown): SpanReference[] {
    return convertList(raw, EMPTY_REFERENCES, (ref) => ({
      // Domain model: a missing refType is CHILD_OF (enum value 0).
      type: String(ref.refType ?? 'CHILD_OF').toUpperCase() === 'FOLLOWS_FROM' ? 'FOLLOWS_FROM' : 'CHILD_OF',
      traceId: normalizeId(ref.traceID ?? ref.traceId, 32, 'reference traceID'),
      spanId: normalizeId(ref.spanID ?? ref.spanId, 16, 'reference spanID'),
    }));
  }

  /** A span's `logs` as model events. */
  logs(raw: unknown): SpanEvent[] {
    return convertList(raw, EMPTY_EVENTS, (log) => {
      const attributes = tagsToAttributes(log.fields, {});
      // Jaeger logs have no name; the OpenTracing convention puts it in the `event` field.
      const event = attributes['event'];
      let name = 'log';
      if (typeof event === 'string') {
        name = event;
        delete attributes['event'];
      }
      let time = 0;
      try {
        time = timeMicros(log.timestamp, 'log timestamp');
      } catch {
        // keep the log without a time
      }
      return { time, name: intern(name), attributes: Object.keys(attributes).length > 0 ? attributes : EMPTY_ATTRIBUTES };
    });
  }
}
