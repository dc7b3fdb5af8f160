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
import { EMPTY_ATTRIBUTES, EMPTY_EVENTS, EMPTY_REFERENCES, SPAN_KINDS, int64, internValue, normalizeId, normalizeKind } from '../normalize';
import { AttributeTextMemo } from './attribute-memo';
import { fast } from './fast-buffer';
import { AttributeSetBuilder, STATUS, otlpValue, type OtlpConverter } from '../otlp';

/** Thrown inside the scanner when the line needs the general path. */
const GIVE_UP = Symbol('give up');

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** Strings up to this length are cached by their bytes (the string pool's limit). */
const MAX_CACHED = 96;
const CACHE_BITS = 14;
const CACHE_SIZE = 1 << CACHE_BITS;
/** Digits that always fit a double exactly. */
const SAFE_DIGITS = 15;

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

/**
 * The keys of the last object of one kind (span, status, attribute…), each as its exact bytes from
 * the opening quote to the colon: the exporter writes every object's keys in the same order, so the
 * next object's keys are recognized by comparing bytes, without hashing or a map lookup.
 */
class KeyMemo {
  readonly raws: Array<Uint8Array | undefined> = [];
  readonly ids: Key[] = [];
  next = 0;
}


export class OtlpLineScanner {
  private b: Buffer = Buffer.alloc(0);
  private dv: DataView = new DataView(new ArrayBuffer(0));
  private p = 0;
  /** The last string token: content [s0, s1), a hash of its bytes, and 0 plain ASCII / 1 other UTF-8 / 2 with escapes. */
  private s0 = 0;
  private s1 = 0;
  private sh = 0;
  private sKind = 0;
  private readonly cache: Array<string | undefined> = new Array<string | undefined>(CACHE_SIZE).fill(undefined);
  private readonly cacheHash = new Int32Array(CACHE_SIZE);
  private readonly attrs = new AttributeSetBuilder();
  private readonly texts = new AttributeTextMemo();
  private readonly spans: Span[] = [];
  private readonly memo = { doc: new KeyMemo(), resourceSpans: new KeyMemo(), scope: new KeyMemo(), span: new KeyMemo(), status: new KeyMemo(), attribute: new KeyMemo(), value: new KeyMemo() };
  /** Where the previous span's trace id stands in this line (spans of a trace are mostly adjacent), and its string. */
  private lastTraceAt = -1;
  private lastTraceId = '';
  /** Lines converted here, and lines handed to the general path (for tests and diagnostics). */
  converted = 0;
  declined = 0;

  constructor(private readonly converter: OtlpConverter) {}

  /**
   * The spans of one line (an ExportTraceServiceRequest), in the order the converter would emit
   * them, or undefined when the line must take the general path. The array is reused by the next call.
   */
  scan(line: Buffer): Span[] | undefined {
    this.b = line;
    this.dv = new DataView(line.buffer, line.byteOffset, line.byteLength);
    this.p = 0;
    this.spans.length = 0;
    this.lastTraceAt = -1;
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
          traceId = this.traceId();
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

  /** A trace or span id: the common lower-case hex of full width as it is, anything else through normalizeId. */
  private id(width: 16 | 32, what: string): string {
    this.ws();
    const b = this.b;
    const p = this.p;
    if (b[p] === QUOTE && b[p + width + 1] === QUOTE && isLowerHex(b, p + 1, p + width + 1)) {
      this.p = p + width + 2;
      return fast(b).latin1Slice(p + 1, p + width + 1);
    }
    if (b[p] !== QUOTE) throw GIVE_UP;
    this.string();
    return normalizeId(this.decoded(), width, what);
  }

  /** The trace id, the previous span's string when the bytes repeat it (spans of one trace are written together). */
  private traceId(): string {
    this.ws();
    const b = this.b;
    const p = this.p;
    const last = this.lastTraceAt;
    if (last >= 0 && b[p] === QUOTE && b[p + 33] === QUOTE) {
      let i = 1;
      while (i <= 32 && b[p + i] === b[last + i]) i++;
      if (i > 32) {
        this.p = p + 34;
        return this.lastTraceId;
      }
    }
    const id = this.id(32, 'traceId');
    // Remembered only in its plain form, whose bytes are the id itself.
    if (this.p === p + 34) {
      this.lastTraceAt = p;
      this.lastTraceId = id;
    } else this.lastTraceAt = -1;
    return id;
  }

  /** The span's name, pooled as the converter's is (cached strings already are). */
  private spanName(): string {
    const name = this.stringToken(true);
    return this.sKind === 0 && this.s1 - this.s0 <= MAX_CACHED ? name : intern(name);
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
    if (this.sKind !== 0 || digits === 0) throw GIVE_UP;
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
    if (this.sKind !== 0 || digits === 0 || digits > SAFE_DIGITS) return int64(this.decoded());
    let n = 0;
    for (; i < this.s1; i++) {
      const d = b[i]! - ZERO;
      if (d < 0 || d > 9) return int64(this.decoded());
      n = n * 10 + d;
    }
    return negative ? -n : n;
  }

  // ---- JSON tokens ----

  private ws(): void {
    const b = this.b;
    let p = this.p;
    let c = b[p];
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = b[++p];
    this.p = p;
  }

  /** Consumes `open` (`{` or `[`); true when the object or array is empty (its `close` consumed too). */
  private open(open: number, close: number): boolean {
    this.ws();
    if (this.b[this.p] !== open) throw GIVE_UP;
    this.p++;
    this.ws();
    if (this.b[this.p] !== close) return false;
    this.p++;
    return true;
  }

  /** After a member or element: true when another follows (`,` consumed), false at `close`. */
  private more(close: number): boolean {
    this.ws();
    const c = this.b[this.p++];
    if (c === COMMA) return true;
    if (c === close) return false;
    throw GIVE_UP;
  }

  /** A member's key and its colon; recognized by its bytes when `memo` has them at this position. */
  private key(memo?: KeyMemo): Key {
    this.ws();
    const b = this.b;
    const p = this.p;
    if (memo !== undefined) {
      const raw = memo.raws[memo.next];
      if (raw !== undefined && p + raw.length <= b.length) {
        const n = raw.length;
        let j = 0;
        while (j < n && raw[j] === b[p + j]) j++;
        if (j === n) {
          this.p = p + n;
          return memo.ids[memo.next++]!;
        }
      }
    }
    if (b[p] !== QUOTE) throw GIVE_UP;
    this.string();
    if (this.sKind !== 0) throw GIVE_UP; // escaped or non-ASCII keys: none of ours
    const key = KEYS.get(this.cached()) ?? Key.Other;
    this.ws();
    if (this.b[this.p] !== COLON) throw GIVE_UP;
    this.p++;
    if (memo !== undefined) {
      memo.raws[memo.next] = new Uint8Array(b.subarray(p, this.p));
      memo.ids[memo.next++] = key;
    }
    return key;
  }

  /** Scans a string token at `p` (which is a quote), recording its content range, hash and kind. */
  private string(): void {
    const b = this.b;
    let p = this.p + 1;
    const s0 = p;
    let h = 0;
    let high = 0;
    let escaped = false;
    for (;;) {
      // Past the end of the line the read is undefined, which `| 0` makes a control character.
      const c = b[p]! | 0;
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        escaped = true;
        p += 2;
        continue;
      }
      if (c < 0x20) throw GIVE_UP; // raw control characters are invalid JSON
      h = (Math.imul(h, 31) + c) | 0;
      high |= c;
      p++;
    }
    this.s0 = s0;
    this.s1 = p;
    this.sh = h;
    this.sKind = escaped ? 2 : high >= 0x80 ? 1 : 0;
    this.p = p + 1;
  }

  /** The value of a string token at `p`, from the cache when `cache` and it is short plain ASCII. */
  private stringToken(cache: boolean): string {
    this.ws();
    if (this.b[this.p] !== QUOTE) throw GIVE_UP;
    this.string();
    return cache ? this.cached() : this.decoded();
  }

  private cached(): string {
    const len = this.s1 - this.s0;
    if (this.sKind !== 0 || len > MAX_CACHED) return this.decoded();
    const h = this.sh;
    const slot = (h ^ (h >>> CACHE_BITS) ^ len) & (CACHE_SIZE - 1);
    const hit = this.cache[slot];
    if (hit !== undefined && this.cacheHash[slot] === h && hit.length === len && this.holds(hit)) return hit;
    // Pooled once here, so that a cached string is the pool's copy without a lookup per use.
    const s = intern(fast(this.b).latin1Slice(this.s0, this.s1));
    this.cache[slot] = s;
    this.cacheHash[slot] = h;
    return s;
  }

  private holds(s: string): boolean {
    const b = this.b;
    const s0 = this.s0;
    for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== b[s0 + i]) return false;
    return true;
  }

  private decoded(): string {
    const b = fast(this.b);
    if (this.sKind === 0) return b.latin1Slice(this.s0, this.s1);
    if (this.sKind === 1) return b.utf8Slice(this.s0, this.s1);
    // Escapes: JSON.parse decodes (and validates) them exactly; it throws on a bad one.
    return JSON.parse(b.utf8Slice(this.s0 - 1, this.s1 + 1)) as string;
  }

  /** A JSON number at `p` (validated by the grammar), as JSON.parse reads it. */
  private number(): number {
    const b = this.b;
    let p = this.p;
    const start = p;
    if (b[p] === MINUS) p++;
    let c = b[p]!;
    if (c === ZERO) p++;
    else if (c > ZERO && c <= NINE) {
      p++;
      while ((c = b[p]!) >= ZERO && c <= NINE) p++;
    } else throw GIVE_UP;
    let integer = true;
    if (b[p] === DOT) {
      integer = false;
      p = digitsAfter(b, p + 1);
    }
    c = b[p]!;
    if (c === 0x65 || c === 0x45) {
      integer = false;
      p++;
      if (b[p] === PLUS || b[p] === MINUS) p++;
      p = digitsAfter(b, p);
    }
    this.p = p;
    if (integer && b[start] !== MINUS && p - start <= SAFE_DIGITS) {
      let n = 0;
      for (let i = start; i < p; i++) n = n * 10 + (b[i]! - ZERO);
      return n;
    }
    return Number(fast(b).latin1Slice(start, p));
  }

  private literal<T>(text: string, value: T): T {
    const b = this.b;
    for (let i = 0; i < text.length; i++) if (b[this.p + i] !== text.charCodeAt(i)) throw GIVE_UP;
    this.p += text.length;
    return value;
  }

  /** Skips any JSON value, validating it as JSON.parse would. */
  private skipValue(): void {
    this.ws();
    switch (this.b[this.p]) {
      case QUOTE:
        this.string();
        if (this.sKind === 2) this.decoded();
        return;
      case LBRACE:
        if (this.open(LBRACE, RBRACE)) return;
        do {
          this.key();
          this.skipValue();
        } while (this.more(RBRACE));
        return;
      case LBRACKET:
        if (this.open(LBRACKET, RBRACKET)) return;
        do this.skipValue();
        while (this.more(RBRACKET));
        return;
      case 0x74:
        this.literal('true', true);
        return;
      case 0x66:
        this.literal('false', false);
        return;
      case 0x6e:
        this.literal('null', null);
        return;
      default:
        this.number();
    }
  }

  /** A value the converter reads from parsed JSON (resource, events, links, nested attribute values). */
  private captureValue(): unknown {
    this.ws();
    const start = this.p;
    this.skipValue();
    return JSON.parse(fast(this.b).utf8Slice(start, this.p));
  }
}

function isLowerHex(b: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = b[i]!;
    if (!((c >= ZERO && c <= NINE) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

function digitsAfter(b: Buffer, from: number): number {
  let p = from;
  let c = b[p]!;
  if (!(c >= ZERO && c <= NINE)) throw GIVE_UP;
  while ((c = b[p]!) >= ZERO && c <= NINE) p++;
  return p;
}

/** Marks a known key as seen in an object; a known key seen twice gives up (JSON.parse would keep the last). */
function once(seen: number, key: Key): number {
  if (key === Key.Other) return seen;
  const bit = 1 << key;
  if (seen & bit) throw GIVE_UP;
  return seen | bit;
}
