/**
 * The JSON token reader the byte scanners share (`otlp-scan.ts` for OTLP/JSON lines, `jaeger-scan.ts`
 * for Jaeger traces): it reads JSON tokens straight from bytes, as JSON.parse would read them, and
 * throws {@link GIVE_UP} on anything it is not sure of, so that the scanner built on it can decline
 * the whole record to the plain path (JSON.parse + the converter) before emitting anything.
 *
 * Repeated short strings (keys, names, attribute values) come from a small cache keyed by their
 * bytes, so reading them allocates nothing; object keys are recognized by the bytes of the previous
 * object of the same kind (exporters write keys in the same order every time).
 */
import { intern } from '../../intern';
import { normalizeId } from '../normalize';
import { fast } from './fast-buffer';

/** Thrown inside a scanner when the record needs the general path. */
export const GIVE_UP = Symbol('give up');

export const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
export const LBRACE = 0x7b;
export const RBRACE = 0x7d;
export const LBRACKET = 0x5b;
export const RBRACKET = 0x5d;
export const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
export const ZERO = 0x30;
const NINE = 0x39;
const LOWER_T = 0x74;
const LOWER_F = 0x66;
export const LOWER_N = 0x6e;

/** Strings up to this length are cached by their bytes (the string pool's limit). */
export const MAX_CACHED = 96;
const CACHE_BITS = 14;
const CACHE_SIZE = 1 << CACHE_BITS;
/** Digits that always fit a double exactly. */
export const SAFE_DIGITS = 15;
/** The key id of keys a scanner does not act on; each scanner numbers its own keys from 1. */
const OTHER_KEY = 0;

/** What the last string token held: plain ASCII, other UTF-8, or escapes (decoded by JSON.parse). */
export const enum StringKind {
  Ascii,
  Utf8,
  Escaped,
}

/**
 * The keys of the last object of one kind (span, status, attribute…), each as its exact bytes from
 * the opening quote to the colon: the exporter writes every object's keys in the same order, so the
 * next object's keys are recognized by comparing bytes, without hashing or a map lookup.
 */
export class KeyMemo {
  readonly raws: Array<Uint8Array | undefined> = [];
  readonly ids: number[] = [];
  next = 0;
}

export class JsonTokens {
  protected b: Buffer = Buffer.alloc(0);
  protected p = 0;
  /** The last string token: content [s0, s1), a hash of its bytes, and its kind. */
  protected s0 = 0;
  protected s1 = 0;
  protected sh = 0;
  protected sKind: StringKind = StringKind.Ascii;
  private readonly cache: Array<string | undefined> = new Array<string | undefined>(CACHE_SIZE).fill(undefined);
  private readonly cacheHash = new Int32Array(CACHE_SIZE);
  /** Where the previous trace id stands in this record (spans of a trace are mostly adjacent), and its string. */
  private lastTraceAt = -1;
  private lastTraceId = '';

  /** `keys`: the key names a scanner acts on, by their id (any other key reads as OTHER_KEY). */
  constructor(private readonly keys: ReadonlyMap<string, number>) {}

  /** Starts reading `bytes` at `at`. */
  protected begin(bytes: Buffer, at: number): void {
    this.b = bytes;
    this.p = at;
    this.lastTraceAt = -1;
  }

  /** A trace or span id: the common lower-case hex of full width as it is, anything else through normalizeId. */
  protected id(width: 16 | 32, what: string): string {
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

  /** A trace id, the previous one's string when the bytes repeat it (spans of one trace are written together). */
  protected traceId(what: string): string {
    this.ws();
    const b = this.b;
    const p = this.p;
    const last = this.lastTraceAt;
    const width = 32;
    if (last >= 0 && b[p] === QUOTE && b[p + width + 1] === QUOTE) {
      let i = 1;
      while (i <= width && b[p + i] === b[last + i]) i++;
      if (i > width) {
        this.p = p + width + 2;
        return this.lastTraceId;
      }
    }
    const id = this.id(width, what);
    // Remembered only in its plain form, whose bytes are the id itself.
    if (this.p === p + width + 2) {
      this.lastTraceAt = p;
      this.lastTraceId = id;
    } else this.lastTraceAt = -1;
    return id;
  }

  protected ws(): void {
    const b = this.b;
    let p = this.p;
    let c = b[p];
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = b[++p];
    this.p = p;
  }

  /** The next byte after whitespace (undefined past the end), not consumed. */
  protected peek(): number | undefined {
    this.ws();
    return this.b[this.p];
  }

  /** Consumes `open` (`{` or `[`); true when the object or array is empty (its `close` consumed too). */
  protected open(open: number, close: number): boolean {
    this.ws();
    if (this.b[this.p] !== open) throw GIVE_UP;
    this.p++;
    this.ws();
    if (this.b[this.p] !== close) return false;
    this.p++;
    return true;
  }

  /** After a member or element: true when another follows (`,` consumed), false at `close`. */
  protected more(close: number): boolean {
    this.ws();
    const c = this.b[this.p++];
    if (c === COMMA) return true;
    if (c === close) return false;
    throw GIVE_UP;
  }

  /** A member's key and its colon; recognized by its bytes when `memo` has them at this position. */
  protected key(memo?: KeyMemo): number {
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
          return memo.ids[memo.next++] ?? OTHER_KEY;
        }
      }
    }
    if (b[p] !== QUOTE) throw GIVE_UP;
    this.string();
    if (this.sKind !== StringKind.Ascii) throw GIVE_UP; // escaped or non-ASCII keys: none of ours
    const key = this.keys.get(this.cached()) ?? OTHER_KEY;
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
  protected string(): void {
    const b = this.b;
    let p = this.p + 1;
    const s0 = p;
    let h = 0;
    let high = 0;
    let escaped = false;
    for (;;) {
      // Past the end of the bytes the read is undefined, which `| 0` makes a control character.
      const c = (b[p] ?? 0) | 0;
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
    this.sKind = escaped ? StringKind.Escaped : high >= 0x80 ? StringKind.Utf8 : StringKind.Ascii;
    this.p = p + 1;
  }

  /** The value of a string token at `p`, from the cache when `cache` and it is short plain ASCII. */
  protected stringToken(cache: boolean): string {
    this.ws();
    if (this.b[this.p] !== QUOTE) throw GIVE_UP;
    this.string();
    return cache ? this.cached() : this.decoded();
  }

  /** The last string token's value, pooled (and cached by its bytes when short plain ASCII). */
  protected cached(): string {
    const len = this.s1 - this.s0;
    if (this.sKind !== StringKind.Ascii || len > MAX_CACHED) return this.decoded();
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

  /** The last string token's value, decoded. */
  protected decoded(): string {
    const b = fast(this.b);
    if (this.sKind === StringKind.Ascii) return b.latin1Slice(this.s0, this.s1);
    if (this.sKind === StringKind.Utf8) return b.utf8Slice(this.s0, this.s1);
    // Escapes: JSON.parse decodes (and validates) them exactly; it throws on a bad one.
    return JSON.parse(b.utf8Slice(this.s0 - 1, this.s1 + 1)) as string;
  }

  /** A JSON number at `p` (validated by the grammar), as JSON.parse reads it. */
  protected number(): number {
    const b = this.b;
    let p = this.p;
    const start = p;
    if (b[p] === MINUS) p++;
    let c = b[p] ?? 0;
    if (c === ZERO) p++;
    else if (c > ZERO && c <= NINE) {
      p++;
      while ((c = b[p] ?? 0) >= ZERO && c <= NINE) p++;
    } else throw GIVE_UP;
    let integer = true;
    if (b[p] === DOT) {
      integer = false;
      p = digitsAfter(b, p + 1);
    }
    c = b[p] ?? 0;
    if (c === 0x65 || c === 0x45) {
      integer = false;
      p++;
      if (b[p] === PLUS || b[p] === MINUS) p++;
      p = digitsAfter(b, p);
    }
    this.p = p;
    if (integer && b[start] !== MINUS && p - start <= SAFE_DIGITS) {
      let n = 0;
      for (let i = start; i < p; i++) n = n * 10 + ((b[i] ?? 0) - ZERO);
      return n;
    }
    return Number(fast(b).latin1Slice(start, p));
  }

  protected literal<T>(text: string, value: T): T {
    const b = this.b;
    for (let i = 0; i < text.length; i++) if (b[this.p + i] !== text.charCodeAt(i)) throw GIVE_UP;
    this.p += text.length;
    return value;
  }

  /** A JSON string, number, true, false or null at `p` as JSON.parse reads it; gives up on objects and arrays. */
  protected primitive(): string | number | boolean | null {
    switch (this.peek()) {
      case QUOTE:
        return this.stringToken(true);
      case LOWER_T:
        return this.literal('true', true);
      case LOWER_F:
        return this.literal('false', false);
      case LOWER_N:
        return this.literal('null', null);
      case LBRACE:
      case LBRACKET:
        throw GIVE_UP;
      default:
        return this.number();
    }
  }

  /** Skips any JSON value, validating it as JSON.parse would. */
  protected skipValue(): void {
    this.ws();
    switch (this.b[this.p]) {
      case QUOTE:
        this.string();
        if (this.sKind === StringKind.Escaped) this.decoded();
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
      case LOWER_T:
        this.literal('true', true);
        return;
      case LOWER_F:
        this.literal('false', false);
        return;
      case LOWER_N:
        this.literal('null', null);
        return;
      default:
        this.number();
    }
  }

  /** A value the converter reads from parsed JSON (rare or nested parts: resources, events, links, logs). */
  protected captureValue(): unknown {
    this.ws();
    const start = this.p;
    this.skipValue();
    return JSON.parse(fast(this.b).utf8Slice(start, this.p));
  }
}

function isLowerHex(b: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = b[i] ?? 0;
    if (!((c >= ZERO && c <= NINE) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

function digitsAfter(b: Buffer, from: number): number {
  let p = from;
  let c = b[p] ?? 0;
  if (!(c >= ZERO && c <= NINE)) throw GIVE_UP;
  while ((c = b[p] ?? 0) >= ZERO && c <= NINE) p++;
  return p;
}

/** Marks a known key as seen in an object; a known key seen twice gives up (JSON.parse would keep the last). */
export function once(seen: number, key: number): number {
  if (key === OTHER_KEY) return seen;
  const bit = 1 << key;
  if (seen & bit) throw GIVE_UP;
  return seen | bit;
}
