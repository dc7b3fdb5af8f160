/**
 * The fast path for OTLP/JSON lines (what the file exporter writes): converts a line's bytes
 * straight into model spans, without JSON.parse building the document first. For a pipeline span
 * JSON.parse allocates some hundred objects and strings (every attribute is `{key, value:
 * {stringValue}}`) that the converter then reads once and drops; that is most of a load's time.
 * Here repeated short strings (keys, service and operation names, attribute values, trace ids)
 * come from a small byte-keyed cache, numbers are read from their digits, and attribute sets are
 * found in the same trie the converter uses, so the result is the converter's, object for object.
 *
 * It is strict: any line it is not certain to convert exactly as `JSON.parse` + `OtlpConverter`
 * would (invalid JSON, escapes in keys, a duplicate key, a value of an unusual type, a span the
 * converter would skip or warn about, another format) makes it give up on the whole line, before
 * anything is emitted, and the caller takes the general path, which reports what is wrong.
 */
import type { AttributeValue, Attributes, Span, SpanEvent, SpanKind, SpanReference, StatusCode } from '../../model';
import { intern } from '../../intern';
import { EMPTY_ATTRIBUTES, EMPTY_EVENTS, EMPTY_REFERENCES, SPAN_KINDS, int64, internValue, normalizeKind } from '../normalize';
import { AttributeTextMemo } from './attribute-memo';
import { GIVE_UP, JsonTokens, KeyMemo, LBRACE, LBRACKET, MAX_CACHED, MINUS, QUOTE, RBRACE, RBRACKET, SAFE_DIGITS, StringKind, ZERO, once } from './json-tokens';
import { AttributeSetBuilder, STATUS, otlpValue, type OtlpConverter } from '../otlp';

/** Object keys the scanner acts on, as small integers (a switch instead of string compares). */
const enum Key {
  Other,
  ResourceSpans,
  Resource,
  ScopeSpans,
  InstrumentationLibrarySpans,
  Spans,
  TraceId,
  SpanId,
  ParentSpanId,
  Name,
  Kind,
  Start,
  End,
  Attributes,
  Events,
  Links,
  Status,
  Code,
  Message,
  AttrKey,
  AttrValue,
  StringValue,
  BoolValue,
  IntValue,
  DoubleValue,
  BytesValue,
  ArrayValue,
  KvlistValue,
}

const KEYS = new Map<string, Key>([
  ['resourceSpans', Key.ResourceSpans],
  ['resource', Key.Resource],
  ['scopeSpans', Key.ScopeSpans],
  ['instrumentationLibrarySpans', Key.InstrumentationLibrarySpans],
  ['spans', Key.Spans],
  ['traceId', Key.TraceId],
  ['spanId', Key.SpanId],
  ['parentSpanId', Key.ParentSpanId],
  ['name', Key.Name],
  ['kind', Key.Kind],
  ['startTimeUnixNano', Key.Start],
  ['endTimeUnixNano', Key.End],
  ['attributes', Key.Attributes],
  ['events', Key.Events],
  ['links', Key.Links],
  ['status', Key.Status],
  ['code', Key.Code],
  ['message', Key.Message],
  ['key', Key.AttrKey],
  ['value', Key.AttrValue],
  ['stringValue', Key.StringValue],
  ['boolValue', Key.BoolValue],
  ['intValue', Key.IntValue],
  ['doubleValue', Key.DoubleValue],
  ['bytesValue', Key.BytesValue],
  ['arrayValue', Key.ArrayValue],
  ['kvlistValue', Key.KvlistValue],
]);

export class OtlpLineScanner extends JsonTokens {
  private dv: DataView = new DataView(new ArrayBuffer(0));
  private readonly attrs = new AttributeSetBuilder();
  private readonly texts = new AttributeTextMemo();
  private readonly spans: Span[] = [];
  private readonly memo = { doc: new KeyMemo(), resourceSpans: new KeyMemo(), scope: new KeyMemo(), span: new KeyMemo(), status: new KeyMemo(), attribute: new KeyMemo(), value: new KeyMemo() };
  /** Lines converted here, and lines handed to the general path (for tests and diagnostics). */
  converted = 0;
  declined = 0;

  constructor(private readonly converter: OtlpConverter) {
    super(KEYS);
  }

  /**
   * The spans of one line (an ExportTraceServiceRequest), in the order the converter would emit
   * them, or undefined when the line must take the general path. The array is reused by the next call.
   */
  scan(line: Buffer): Span[] | undefined {
    this.begin(line, 0);
    this.dv = new DataView(line.buffer, line.byteOffset, line.byteLength);
    this.spans.length = 0;
    try {
      this.document();
    } catch (err) {
      // Anything unexpected, including a stack overflow on absurd nesting, means: not for this path.
      if (err !== GIVE_UP && !(err instanceof Error)) throw err;
      this.declined++;
      return undefined;
    }
    this.converted++;
    return this.spans;
  }

  private document(): void {
    if (this.open(LBRACE, RBRACE)) throw GIVE_UP;
    this.memo.doc.next = 0;
    // Other formats are recognized by the general path; an OTLP line starts with its only key.
    if (this.key(this.memo.doc) !== Key.ResourceSpans) throw GIVE_UP;
    this.resourceSpansList();
    while (this.more(RBRACE)) {
      if (this.key(this.memo.doc) === Key.ResourceSpans) throw GIVE_UP; // duplicate: JSON.parse would keep the last
      this.skipValue();
    }
    this.ws();
    if (this.p !== this.b.length) throw GIVE_UP;
  }

  private resourceSpansList(): void {
    if (this.open(LBRACKET, RBRACKET)) return;
    do this.resourceSpans();
    while (this.more(RBRACKET));
  }

  private resourceSpans(): void {
    if (this.open(LBRACE, RBRACE)) return;
    let resource: { service: string; attrs: Attributes } | undefined;
    let seen = 0;
    const memo = this.memo.resourceSpans;
    memo.next = 0;
    do {
      const key = this.key(memo);
      seen = once(seen, key);
      if (key === Key.Resource) resource = this.converter.resource(this.captureValue());
      else if (key === Key.ScopeSpans) {
        // The spans need their resource; an exporter that writes it after them takes the general path.
        if (resource === undefined) throw GIVE_UP;
        this.scopeSpansList(resource.service, resource.attrs);
      } else if (key === Key.InstrumentationLibrarySpans) throw GIVE_UP;
      else this.skipValue();
    } while (this.more(RBRACE));
  }

  private scopeSpansList(service: string, resource: Attributes): void {
    this.ws();
    if (this.b[this.p] !== LBRACKET) throw GIVE_UP;
    if (this.open(LBRACKET, RBRACKET)) return;
    do {
      this.ws();
      if (this.b[this.p] !== LBRACE) {
        this.skipValue(); // the converter passes over a scope that is not an object
        continue;
      }
      if (this.open(LBRACE, RBRACE)) continue;
      let seen = 0;
      const memo = this.memo.scope;
      memo.next = 0;
      do {
        const key = this.key(memo);
        seen = once(seen, key);
        this.ws();
        if (key === Key.Spans && this.b[this.p] === LBRACKET) this.spanList(service, resource);
        else this.skipValue();
      } while (this.more(RBRACE));
    } while (this.more(RBRACKET));
  }

  private spanList(service: string, resource: Attributes): void {
    if (this.open(LBRACKET, RBRACKET)) return;
    do this.spans.push(this.span(service, resource));
    while (this.more(RBRACKET));
  }

  private span(service: string, resource: Attributes): Span {
    let traceId: string | undefined;
    let spanId: string | undefined;
    let parentSpanId: string | undefined;
    let name = '';
    let kind: SpanKind = 'unspecified';
    let start: number | undefined;
    let end: number | undefined;
    let attributes = EMPTY_ATTRIBUTES;
    let events: SpanEvent[] = EMPTY_EVENTS;
    let references: SpanReference[] = EMPTY_REFERENCES;
    let status: StatusCode = 'unset';
    let statusMessage: string | undefined;
    if (this.open(LBRACE, RBRACE)) throw GIVE_UP;
    let seen = 0;
    const memo = this.memo.span;
    memo.next = 0;
    do {
      const key = this.key(memo);
      seen = once(seen, key);
      switch (key) {
        case Key.TraceId:
          traceId = this.traceId('traceId');
          break;
        case Key.SpanId:
          spanId = this.id(16, 'spanId');
          break;
        case Key.ParentSpanId:
          this.ws();
          parentSpanId = this.b[this.p] === QUOTE && this.b[this.p + 1] === QUOTE ? ((this.p += 2), undefined) : this.id(16, 'parentSpanId');
          break;
        case Key.Name:
          name = this.spanName();
          break;
        case Key.Kind:
          kind = this.kind();
          break;
        case Key.Start:
          start = this.nanosToMicros();
          break;
        case Key.End:
          end = this.nanosToMicros();
          break;
        case Key.Attributes:
          attributes = this.attributeList(name);
          break;
        case Key.Events:
          events = this.converter.events(this.captureValue());
          break;
        case Key.Links:
          references = this.converter.links(this.captureValue());
          break;
        case Key.Status: {
          [status, statusMessage] = this.status();
          break;
        }
        default:
          this.skipValue();
      }
    } while (this.more(RBRACE));
    // A missing id or start time, or a negative duration, is the general path's to report.
    if (traceId === undefined || spanId === undefined || start === undefined) throw GIVE_UP;
    const duration = end !== undefined ? end - start : 0;
    if (duration < 0) throw GIVE_UP;
    // The same fields in the same order as OtlpConverter's spans (one hidden class for both).
    return { traceId, spanId, parentSpanId, references, name, service, kind, start, duration, status, statusMessage, attributes, resource, events, warnings: undefined };
  }

  /** The span's name, pooled as the converter's is (cached strings already are). */
  private spanName(): string {
    const name = this.stringToken(true);
    return this.sKind === StringKind.Ascii && this.s1 - this.s0 <= MAX_CACHED ? name : intern(name);
  }

  private kind(): SpanKind {
    this.ws();
    const c = this.b[this.p];
    if (c === QUOTE) return normalizeKind(this.stringToken(true));
    const n = this.number();
    return SPAN_KINDS[n] ?? normalizeKind(n);
  }

  /** OTLP nanoseconds (a decimal string or a number) → integer µs, as nanosToMicros; gives up where it would warn or fail. */
  private nanosToMicros(): number {
    this.ws();
    const b = this.b;
    if (b[this.p] !== QUOTE) {
      const n = this.number();
      if (!(n > 0)) throw GIVE_UP;
      return Math.floor(n / 1000);
    }
    this.string();
    const digits = this.s1 - this.s0;
    if (this.sKind !== StringKind.Ascii || digits === 0) throw GIVE_UP;
    let micros = 0;
    let zero = true;
    for (let i = this.s0; i < this.s1; i++) {
      const d = b[i]! - ZERO;
      if (d < 0 || d > 9) throw GIVE_UP;
      if (d !== 0) zero = false;
      // Dropping the last three digits divides by 1000 exactly.
      if (i < this.s1 - 3) micros = micros * 10 + d;
    }
    if (zero && digits === 1) throw GIVE_UP; // "0": no time
    if (micros > Number.MAX_SAFE_INTEGER) throw GIVE_UP;
    return micros;
  }

  private status(): [StatusCode, string | undefined] {
    if (this.open(LBRACE, RBRACE)) return ['unset', undefined];
    let code: StatusCode = 'unset';
    let message: string | undefined;
    let seen = 0;
    const memo = this.memo.status;
    memo.next = 0;
    do {
      const key = this.key(memo);
      seen = once(seen, key);
      this.ws();
      const c = this.b[this.p];
      if (key === Key.Code) {
        if (c === QUOTE) code = STATUS[this.stringToken(true)] ?? 'unset';
        else code = STATUS[String(this.number())] ?? 'unset';
      } else if (key === Key.Message && c === QUOTE) {
        const text = this.stringToken(true);
        message = text !== '' ? text : undefined;
      } else this.skipValue();
    } while (this.more(RBRACE));
    return [code, message];
  }

  private attributeList(name: string): Attributes {
    this.ws();
    if (this.b[this.p] !== LBRACKET) throw GIVE_UP;
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
        attrs.add(known.key, known.value);
        continue;
      }
      const start = this.p;
      if (this.open(LBRACE, RBRACE)) continue;
      let key: string | undefined;
      let value: AttributeValue | undefined;
      let seen = 0;
      const memo = this.memo.attribute;
      memo.next = 0;
      do {
        const k = this.key(memo);
        seen = once(seen, k);
        if (k === Key.AttrKey) {
          this.ws();
          if (this.b[this.p] !== QUOTE) throw GIVE_UP;
          key = this.stringToken(true);
        } else if (k === Key.AttrValue) value = this.anyValue();
        else this.skipValue();
      } while (this.more(RBRACE));
      if (key === undefined || value === undefined) continue;
      attrs.add(key, value);
      // Arrays and long strings are not worth remembering (nor shared by the trie).
      if (!Array.isArray(value) && !(typeof value === 'string' && value.length > MAX_CACHED)) {
        texts.remember(slots, this.b, start, this.p, intern(key), internValue(value) as string | number | boolean);
      }
    } while (this.more(RBRACKET));
    return attrs.build();
  }

  /** An OTLP AnyValue → model value, as otlpValue. */
  private anyValue(): AttributeValue | undefined {
    this.ws();
    if (this.b[this.p] !== LBRACE) throw GIVE_UP;
    if (this.open(LBRACE, RBRACE)) return undefined;
    this.memo.value.next = 0;
    const key = this.key(this.memo.value);
    this.ws();
    const b = this.b;
    const c = b[this.p];
    let value: AttributeValue | undefined;
    switch (key) {
      case Key.StringValue:
        if (c !== QUOTE) throw GIVE_UP;
        value = this.stringToken(true);
        break;
      case Key.BoolValue:
        if (c === 0x74) value = this.literal('true', true);
        else if (c === 0x66) value = this.literal('false', false);
        else if (c === QUOTE) value = this.stringToken(true) === 'true';
        else throw GIVE_UP;
        break;
      case Key.IntValue:
        value = c === QUOTE ? this.intString() : this.number();
        break;
      case Key.DoubleValue:
        value = c === QUOTE ? Number(this.stringToken(true)) : this.number();
        break;
      case Key.BytesValue:
        if (c !== QUOTE) throw GIVE_UP;
        value = this.stringToken(false);
        break;
      case Key.ArrayValue:
        value = otlpValue({ arrayValue: this.captureValue() });
        break;
      case Key.KvlistValue:
        value = otlpValue({ kvlistValue: this.captureValue() });
        break;
      default:
        this.skipValue();
        value = undefined;
    }
    // Several kinds in one AnyValue: otlpValue's order of preference would decide; rare enough to leave to it.
    if (this.more(RBRACE)) throw GIVE_UP;
    return value;
  }

  /** An int64 given as a string: plain digits become a number here, anything else as int64() has it. */
  private intString(): number | string {
    this.string();
    const b = this.b;
    let i = this.s0;
    const negative = b[i] === MINUS;
    if (negative) i++;
    const digits = this.s1 - i;
    if (this.sKind !== StringKind.Ascii || digits === 0 || digits > SAFE_DIGITS) return int64(this.decoded());
    let n = 0;
    for (; i < this.s1; i++) {
      const d = b[i]! - ZERO;
      if (d < 0 || d > 9) return int64(this.decoded());
      n = n * 10 + d;
    }
    return negative ? -n : n;
  }
}
