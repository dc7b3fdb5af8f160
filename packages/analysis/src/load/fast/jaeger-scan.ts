/**
 * The fast path for Jaeger JSON (API v1 `{"data":[trace…]}`, the Jaeger UI's downloads): converts
 * one trace object's bytes straight into model spans, without JSON.parse building the trace first.
 * Profiled on 300k pipeline spans, the plain path spent its time in JSON.parse of each trace and in
 * the garbage of its hundred objects per span (every tag is `{key, type, value}`); here tags are
 * recognized by their bytes (`attribute-memo.ts`), short strings come from a byte-keyed cache, and
 * attribute sets are found in the trie the OTLP path uses, so one pass over the bytes does the work.
 *
 * It is strict: any trace it is not certain to convert exactly as `JSON.parse` +
 * `JaegerConverter.addTrace` would (invalid JSON, a duplicate key, a span the converter would skip,
 * the domain-model or Elasticsearch variants, another format) is declined whole, before anything is
 * emitted, and the caller takes the plain path, which reports what is wrong. Rare parts (processes,
 * logs, warnings) are parsed with JSON.parse and handed to the converter's own code.
 */
import type { AttributeValue, Attributes, Span, SpanEvent, SpanReference } from '../../model';
import { intern } from '../../intern';
import type { TraceCollector } from '../collector';
import { ERROR_TAG, KIND_TAG, OTEL_STATUS_CODE, OTEL_STATUS_DESCRIPTION, parentOf, statusFromTags, statusMessageFromTag, tagValue, type JaegerConverter, type Process } from '../jaeger';
import { EMPTY_ATTRIBUTES, EMPTY_EVENTS, EMPTY_REFERENCES, internValue, isObject, normalizeKind } from '../normalize';
import { AttributeSetBuilder } from '../otlp';
import { AttributeTextMemo } from './attribute-memo';
import { fast } from './fast-buffer';
import { GIVE_UP, JsonTokens, KeyMemo, LBRACE, LBRACKET, LOWER_N, MAX_CACHED, QUOTE, RBRACE, RBRACKET, StringKind, once } from './json-tokens';

/** Object keys the scanner acts on (including the ones that make it decline), as small integers. */
const enum Key {
  Other,
  TraceID,
  SpanID,
  Spans,
  Processes,
  Warnings,
  OperationName,
  References,
  StartTime,
  Duration,
  Tags,
  Logs,
  ProcessID,
  Process,
  RefType,
  TagKey,
  TagType,
  TagValue,
  /** Keys of another format or variant (domain model, Elasticsearch, OTLP, …): the plain path's. */
  Declined,
}

const KEYS = new Map<string, Key>([
  ['traceID', Key.TraceID],
  ['spanID', Key.SpanID],
  ['spans', Key.Spans],
  ['processes', Key.Processes],
  ['warnings', Key.Warnings],
  ['operationName', Key.OperationName],
  ['references', Key.References],
  ['startTime', Key.StartTime],
  ['duration', Key.Duration],
  ['tags', Key.Tags],
  ['logs', Key.Logs],
  ['processID', Key.ProcessID],
  ['process', Key.Process],
  ['refType', Key.RefType],
  ['key', Key.TagKey],
  ['type', Key.TagType],
  ['value', Key.TagValue],
  // What the converter or the format detection read and this scanner does not convert.
  ['traceId', Key.Declined],
  ['spanId', Key.Declined],
  ['processMap', Key.Declined],
  ['resourceSpans', Key.Declined],
  ['batches', Key.Declined],
  ['result', Key.Declined],
  ['data', Key.Declined],
]);


/** A span read, waiting for its trace's `processes` (written after the spans) to get its service. */
interface PendingSpan {
  span: Span;
  processId: string;
  /** A process written in the span itself (Jaeger UI's trace model), parsed; it wins over the id. */
  inlineProcess: unknown;
}

/** Where a trace's `processes` object stands in the bytes. */
interface Range {
  from: number;
  to: number;
}

/** The tags that become span fields rather than attributes, as their last values in one span's tags. */
interface FieldTags {
  kind: AttributeValue | undefined;
  otelStatus: AttributeValue | undefined;
  description: AttributeValue | undefined;
  error: AttributeValue | undefined;
}

export class JaegerTraceScanner extends JsonTokens {
  private dv: DataView = new DataView(new ArrayBuffer(0));
  private readonly attrs = new AttributeSetBuilder();
  private readonly texts = new AttributeTextMemo();
  private readonly memo = { trace: new KeyMemo(), span: new KeyMemo(), reference: new KeyMemo(), tag: new KeyMemo() };
  /** The last trace's `processes` bytes and their lookup: the traces of one export mostly repeat their processes table. */
  private lastProcesses: Uint8Array = new Uint8Array(0);
  private lastProcessOf: ((id: string) => Process) | undefined;
  /** Traces converted here, and whole traces handed to the plain path (for tests and diagnostics). */
  converted = 0;
  declined = 0;

  constructor(
    private readonly converter: JaegerConverter,
    private readonly collector: TraceCollector,
  ) {
    super(KEYS);
  }

  /**
   * Converts the trace object starting at `start` of a chunk into the collector and returns the
   * index just after it; -1 when the plain path must take it (nothing was emitted then), which is
   * also the answer when the object does not end within the chunk: it is then offered whole to
   * {@link scanWhole} once the splitter has captured it.
   */
  scanFrom(chunk: Buffer, start: number): number {
    return this.scan(chunk, start);
  }

  /** Converts a whole captured trace object; false when the plain path must take it. */
  scanWhole(bytes: Buffer): boolean {
    if (this.scan(bytes, 0) === bytes.length) return true;
    this.declined++;
    return false;
  }

  private scan(bytes: Buffer, start: number): number {
    if (this.dv.buffer !== bytes.buffer || this.dv.byteOffset !== bytes.byteOffset) {
      this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    this.begin(bytes, start);
    const pending: PendingSpan[] = [];
    let warnings: unknown;
    let processOf: (id: string) => Process;
    try {
      let processes: Range | undefined;
      [processes, warnings] = this.trace(pending);
      processOf = this.processTable(processes);
    } catch (err) {
      // Anything unexpected, including a stack overflow on absurd nesting, means: not for this path.
      if (err !== GIVE_UP && !(err instanceof Error)) throw err;
      return -1;
    }
    const traceWarnings = Array.isArray(warnings) ? warnings.map(String) : [];
    const first = pending[0];
    // Trace warnings without a span name their trace by the trace's own id: the plain path's case.
    if (traceWarnings.length > 0 && first === undefined) return -1;
    for (const { span, processId, inlineProcess } of pending) {
      const process = isObject(inlineProcess) ? this.converter.process(inlineProcess) : processOf(processId);
      span.service = process.service;
      span.resource = process.resource;
      this.collector.add(span);
    }
    if (first !== undefined) this.collector.addTraceWarnings(first.span.traceId, traceWarnings);
    this.converted++;
    return this.p;
  }

  /** The lookup of a trace's processes by id, from the `processes` object at `range` (none: every id is unknown). */
  private processTable(range: Range | undefined): (id: string) => Process {
    if (range === undefined) return this.converter.processTable({});
    const bytes = this.b.subarray(range.from, range.to);
    if (this.lastProcessOf !== undefined && bytes.equals(this.lastProcesses)) return this.lastProcessOf;
    const parsed: unknown = JSON.parse(fast(this.b).utf8Slice(range.from, range.to));
    const processOf = this.converter.processTable(isObject(parsed) ? parsed : {});
    this.lastProcesses = new Uint8Array(bytes); // a copy: the chunk it lies in goes
    this.lastProcessOf = processOf;
    return processOf;
  }

  /** A trace object `{traceID, spans, processes, warnings}`: its spans into `pending`; where its processes are, and its warnings as parsed. */
  private trace(pending: PendingSpan[]): [Range | undefined, unknown] {
    if (this.peek() !== LBRACE || this.open(LBRACE, RBRACE)) throw GIVE_UP;
    let processes: Range | undefined;
    let warnings: unknown;
    let hasSpans = false;
    let seen = 0;
    const memo = this.memo.trace;
    memo.next = 0;
    do {
      const key = this.key(memo);
      seen = once(seen, key);
      switch (key) {
        case Key.Spans:
          if (this.peek() !== LBRACKET) throw GIVE_UP;
          hasSpans = true;
          if (this.open(LBRACKET, RBRACKET)) break;
          do pending.push(this.span());
          while (this.more(RBRACKET));
          break;
        case Key.Processes: {
          this.ws();
          const from = this.p;
          this.skipValue();
          processes = { from, to: this.p };
          break;
        }
        case Key.Warnings:
          warnings = this.nullOrValue();
          break;
        case Key.Declined:
          throw GIVE_UP;
        default:
          this.skipValue();
      }
    } while (this.more(RBRACE));
    if (!hasSpans) throw GIVE_UP;
    return [processes, warnings];
  }

  private span(): PendingSpan {
    if (this.peek() !== LBRACE || this.open(LBRACE, RBRACE)) throw GIVE_UP;
    let traceId: string | undefined;
    let spanId: string | undefined;
    let name = '';
    let start: number | undefined;
    let duration: number | undefined;
    let references: SpanReference[] = EMPTY_REFERENCES;
    let attributes: Attributes = EMPTY_ATTRIBUTES;
    let events: SpanEvent[] = EMPTY_EVENTS;
    let warnings: string[] | undefined;
    let processId = '';
    let inlineProcess: unknown;
    const fields: FieldTags = { kind: undefined, otelStatus: undefined, description: undefined, error: undefined };
    let seen = 0;
    const memo = this.memo.span;
    memo.next = 0;
    do {
      const key = this.key(memo);
      seen = once(seen, key);
      switch (key) {
        case Key.TraceID:
          traceId = this.traceId('traceID');
          break;
        case Key.SpanID:
          spanId = this.id(16, 'spanID');
          break;
        case Key.OperationName:
          name = this.spanName();
          break;
        case Key.References:
          references = this.references();
          break;
        case Key.StartTime:
          start = this.micros();
          break;
        case Key.Duration:
          duration = this.micros();
          if (duration < 0) throw GIVE_UP; // the converter skips the span with its reason
          break;
        case Key.Tags:
          attributes = this.tags(name, fields);
          break;
        case Key.Logs:
          events = this.isEmptyArray() ? EMPTY_EVENTS : this.converter.logs(this.captureValue());
          break;
        case Key.ProcessID:
          // As the converter's String(processID ?? ''); other types are left to it.
          processId = this.peek() === LOWER_N ? this.literal('null', '') : this.stringToken(true);
          break;
        case Key.Warnings: {
          const raw = this.nullOrValue();
          warnings = Array.isArray(raw) && raw.length > 0 ? raw.map(String) : undefined;
          break;
        }
        case Key.Process:
          inlineProcess = this.captureValue();
          break;
        case Key.Declined:
          throw GIVE_UP;
        default:
          this.skipValue();
      }
    } while (this.more(RBRACE));
    if (traceId === undefined || spanId === undefined || start === undefined || duration === undefined) throw GIVE_UP;
    // The same fields in the same order as the converter's spans (one hidden class for both); the
    // service and resource are set once the trace's processes are read.
    const span: Span = {
      traceId,
      spanId,
      parentSpanId: parentOf(references, traceId),
      references,
      name,
      service: '',
      kind: normalizeKind(fields.kind),
      start,
      duration,
      status: statusFromTags(fields.otelStatus, fields.error),
      statusMessage: statusMessageFromTag(fields.description),
      attributes,
      resource: EMPTY_ATTRIBUTES,
      events,
      warnings,
    };
    return { span, processId, inlineProcess };
  }

  /** The operation name, pooled as the converter's is (cached strings already are). */
  private spanName(): string {
    if (this.peek() !== QUOTE) throw GIVE_UP; // the converter's '' for a non-string: rare, left to it
    const name = this.stringToken(true);
    return this.sKind === StringKind.Ascii && this.s1 - this.s0 <= MAX_CACHED ? name : intern(name);
  }

  /** A time or duration in µs given as a JSON number (strings such as RFC 3339 times are the converter's). */
  private micros(): number {
    this.ws();
    const n = this.number(); // gives up on anything that is not a number
    if (!Number.isFinite(n)) throw GIVE_UP;
    return n;
  }

  /** A value that is mostly `null` (Jaeger's warnings), parsed only when it is not. */
  private nullOrValue(): unknown {
    if (this.peek() === LOWER_N) return this.literal('null', null);
    return this.captureValue();
  }

  private isEmptyArray(): boolean {
    if (this.peek() !== LBRACKET) return false;
    const after = this.p;
    this.p++;
    if (this.peek() === RBRACKET) {
      this.p++;
      return true;
    }
    this.p = after;
    return false;
  }

  /** `references`: `[{refType, traceID, spanID}…]`, as the converter's list. */
  private references(): SpanReference[] {
    if (this.peek() !== LBRACKET) throw GIVE_UP;
    if (this.open(LBRACKET, RBRACKET)) return EMPTY_REFERENCES;
    // Most spans have one reference. A list made by push() would keep room for 17 on every span
    // (V8's first growth), more memory than the span itself; a literal holds exactly one.
    const first = this.reference();
    if (!this.more(RBRACKET)) return [first];
    const out = [first];
    do out.push(this.reference());
    while (this.more(RBRACKET));
    return out;
  }

  /** One reference `{refType, traceID, spanID}`, as the converter's. */
  private reference(): SpanReference {
    // A non-object element is ignored by the converter; an empty one lacks its ids.
    if (this.peek() !== LBRACE || this.open(LBRACE, RBRACE)) throw GIVE_UP;
    let type: SpanReference['type'] = 'CHILD_OF';
    let traceId: string | undefined;
    let spanId: string | undefined;
    let seen = 0;
    const memo = this.memo.reference;
    memo.next = 0;
    do {
      const key = this.key(memo);
      seen = once(seen, key);
      switch (key) {
        case Key.RefType: {
          // As the converter: a missing (or null) refType is CHILD_OF.
          const raw = this.primitive();
          type = raw !== null && String(raw).toUpperCase() === 'FOLLOWS_FROM' ? 'FOLLOWS_FROM' : 'CHILD_OF';
          break;
        }
        case Key.TraceID:
          traceId = this.traceId('reference traceID');
          break;
        case Key.SpanID:
          spanId = this.id(16, 'reference spanID');
          break;
        case Key.Declined:
          throw GIVE_UP;
        default:
          this.skipValue();
      }
    } while (this.more(RBRACE));
    if (traceId === undefined || spanId === undefined) throw GIVE_UP;
    return { type, traceId, spanId };
  }

  /**
   * `tags`: `[{key, type, value}…]` → the span's attributes; the tags that are span fields (kind,
   * status) go to `fields` instead, as the converter takes them out of the attributes.
   */
  private tags(name: string, fields: FieldTags): Attributes {
    if (this.peek() !== LBRACKET) throw GIVE_UP;
    if (this.open(LBRACKET, RBRACKET)) return EMPTY_ATTRIBUTES;
    const attrs = this.attrs;
    attrs.reset();
    const texts = this.texts;
    const positions = texts.positions(name);
    let position = 0;
    do {
      this.ws();
      const slots = (positions[position++] ??= []);
      const known = slots.length > 0 ? texts.match(slots, this.dv, this.p, this.b.length) : undefined;
      if (known !== undefined) {
        this.p += known.length;
        addTag(attrs, fields, known.key, known.value);
        continue;
      }
      const start = this.p;
      const [key, value] = this.tag();
      if (value === undefined) continue; // as the converter: a tag without a value is left out
      addTag(attrs, fields, key, value);
      // Long strings are not worth remembering (nor shared by the trie).
      if (!Array.isArray(value) && !(typeof value === 'string' && value.length > MAX_CACHED)) {
        texts.remember(slots, this.b, start, this.p, intern(key), internValue(value) as string | number | boolean);
      }
    } while (this.more(RBRACKET));
    return attrs.build();
  }

  /** One tag object: its key and its value as the converter's tagValue has it. */
  private tag(): [string, AttributeValue | undefined] {
    if (this.peek() !== LBRACE || this.open(LBRACE, RBRACE)) throw GIVE_UP;
    let key: unknown;
    let type: unknown;
    let value: unknown;
    let hasValue = false;
    let seen = 0;
    const memo = this.memo.tag;
    memo.next = 0;
    do {
      const k = this.key(memo);
      seen = once(seen, k);
      switch (k) {
        case Key.TagKey:
          key = this.primitive();
          break;
        case Key.TagType:
          type = this.primitive();
          break;
        case Key.TagValue:
          hasValue = true;
          value = this.primitive(); // gives up on objects and arrays (stringified by the converter)
          break;
        default:
          this.skipValue();
      }
    } while (this.more(RBRACE));
    // Without `value` it is a domain-model tag (`vType`, `vStr`…); a key that is not a string is skipped by the converter.
    if (!hasValue || typeof key !== 'string') throw GIVE_UP;
    if (type === 'string' && typeof value === 'string') return [key, value];
    return [key, tagValue(type === undefined ? { value } : { type, value })];
  }
}

/** One converted tag into the attribute set, or into `fields` when it is one of the span's own fields. */
function addTag(attrs: AttributeSetBuilder, fields: FieldTags, key: string, value: AttributeValue): void {
  switch (key) {
    case KIND_TAG:
      fields.kind = value;
      return;
    case OTEL_STATUS_CODE:
      fields.otelStatus = value;
      return;
    case OTEL_STATUS_DESCRIPTION:
      fields.description = value;
      return;
    case ERROR_TAG:
      fields.error = value; // and it stays an attribute
  }
  attrs.add(key, value);
}
