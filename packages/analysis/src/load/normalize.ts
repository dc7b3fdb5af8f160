import type { AttributeValue, Attributes, SpanEvent, SpanKind, SpanReference } from '../model';
import { intern } from '../intern';
import { RecordError } from './errors';

/** Shared empty containers: most spans have no events, links or references. Frozen: loaded data is read-only. */
export const EMPTY_EVENTS: SpanEvent[] = Object.freeze([]) as unknown as SpanEvent[];
export const EMPTY_REFERENCES: SpanReference[] = Object.freeze([]) as unknown as SpanReference[];
export const EMPTY_ATTRIBUTES: Attributes = Object.freeze({}) as Attributes;

const HEX = /^[0-9a-fA-F]+$/;
const LOWER_HEX_FULL = { 16: /^[0-9a-f]{16}$/, 32: /^[0-9a-f]{32}$/ } as const;
const DIGITS = /^\d+$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * Normalize a trace or span id: lower-case hex, left-padded with zeros to `width` (32 for trace ids,
 * 16 for span ids; old Jaeger data drops leading zeros and uses 64-bit trace ids). Base64 ids (protobuf
 * JSON of the Jaeger domain model) are decoded. Anything else is kept exactly as given: an id that is
 * not hex is an opaque string, and lower-casing it could merge two ids or hide the one a user searches for.
 */
export function normalizeId(raw: unknown, width: 16 | 32, what: string): string {
  if (typeof raw !== 'string' || raw.length === 0) throw new RecordError(`missing ${what}`);
  if (raw.length === width && LOWER_HEX_FULL[width].test(raw)) return raw; // the common case, one test
  if (HEX.test(raw)) {
    const lower = raw.length === width && !/[A-F]/.test(raw) ? raw : raw.toLowerCase();
    return lower.length < width ? lower.padStart(width, '0') : lower;
  }
  const bytes = width / 2;
  if (BASE64.test(raw) && raw.length === Math.ceil(bytes / 3) * 4) {
    const decoded = Buffer.from(raw, raw.includes('-') || raw.includes('_') ? 'base64url' : 'base64');
    if (decoded.length === bytes) return decoded.toString('hex');
  }
  return raw;
}

/** Integer microseconds from an OTLP nanosecond timestamp (decimal string or number). */
export function nanosToMicros(raw: unknown, what: string): number | undefined {
  if (raw === undefined || raw === null || raw === '' || raw === '0' || raw === 0) return undefined;
  if (typeof raw === 'string') {
    if (!DIGITS.test(raw)) throw new RecordError(`${what} is not a decimal nanosecond count: ${JSON.stringify(raw)}`);
    // Dropping the last three digits divides by 1000 exactly (a double cannot hold epoch ns exactly).
    return raw.length <= 3 ? 0 : Number(raw.slice(0, -3));
  }
  if (typeof raw === 'number' && Number.isFinite(raw) && raw >= 0) return Math.floor(raw / 1000);
  throw new RecordError(`${what} is not a nanosecond count: ${JSON.stringify(raw)}`);
}

/** A µs count given as a number or a decimal string (Jaeger JSON). */
export function micros(raw: unknown, what: string): number {
  if (typeof raw === 'number' && Number.isFinite(raw)) return raw;
  if (typeof raw === 'string' && /^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  throw new RecordError(`${what} is ${raw === undefined ? 'missing' : `not a number: ${JSON.stringify(raw)}`}`);
}

/** An int64 as a number when it fits a double exactly, otherwise as its decimal string. */
export function int64(raw: unknown): number | string {
  if (typeof raw === 'number') return raw;
  const s = String(raw);
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : s;
}

export function internValue(v: AttributeValue): AttributeValue {
  return typeof v === 'string' ? intern(v) : v;
}

/** Span kinds by their OTLP enum number. */
export const SPAN_KINDS: readonly SpanKind[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

const KINDS: Record<string, SpanKind> = {
  '0': 'unspecified',
  '1': 'internal',
  '2': 'server',
  '3': 'client',
  '4': 'producer',
  '5': 'consumer',
  SPAN_KIND_UNSPECIFIED: 'unspecified',
  SPAN_KIND_INTERNAL: 'internal',
  SPAN_KIND_SERVER: 'server',
  SPAN_KIND_CLIENT: 'client',
  SPAN_KIND_PRODUCER: 'producer',
  SPAN_KIND_CONSUMER: 'consumer',
  unspecified: 'unspecified',
  internal: 'internal',
  server: 'server',
  client: 'client',
  producer: 'producer',
  consumer: 'consumer',
};

/** OTLP enum (number or name) or Jaeger `span.kind` tag value → model kind. */
export function normalizeKind(raw: unknown): SpanKind {
  if (raw === undefined || raw === null) return 'unspecified';
  const key = String(raw);
  return KINDS[key] ?? KINDS[key.toLowerCase()] ?? 'unspecified';
}

/** Equal keys, value types and values (NaN included) give equal keys. */
function contentKey(attrs: Attributes): string {
  let key = '';
  for (const k of Object.keys(attrs)) {
    const v = attrs[k]!;
    key += `${k}\u0000${typeof v}\u0000${Array.isArray(v) ? JSON.stringify(v) : String(v)}\u0000`;
  }
  return key;
}

const resourcesByContent = new Map<string, Attributes>();
/** Past this many distinct resources (a file of one-off resources), new ones are not shared across converters. */
const MAX_CANONICAL_RESOURCES = 10_000;

/**
 * The one frozen object of this thread for a resource's content, so that every span of a process
 * shares it, whichever converter, file or worker thread read it. Resources are few; this stays small.
 */
export function canonicalResource(attrs: Attributes): Attributes {
  const key = contentKey(attrs);
  let hit = resourcesByContent.get(key);
  if (hit === undefined) {
    hit = Object.isFrozen(attrs) ? attrs : Object.freeze({ ...attrs });
    // Module-wide, so it outlives one load: bounded rather than kept for every resource ever seen.
    if (resourcesByContent.size < MAX_CANONICAL_RESOURCES) resourcesByContent.set(key, hit);
  }
  return hit;
}

/** Resource attributes objects shared by all spans of one process (keyed by their source's canonical JSON). */
export class ResourceCache {
  private readonly cache = new Map<string, Attributes>();
  get(key: string, build: () => Attributes): Attributes {
    let hit = this.cache.get(key);
    if (hit === undefined) {
      hit = canonicalResource(Object.freeze(build()) as Attributes);
      this.cache.set(key, hit);
    }
    return hit;
  }
}

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Convert the object elements of a JSON list (others are ignored); the shared `empty` when nothing results. */
export function convertList<T>(raw: unknown, empty: T[], convert: (item: Json) => T | undefined): T[] {
  if (!Array.isArray(raw) || raw.length === 0) return empty;
  const out: T[] = [];
  for (const item of raw) {
    if (!isObject(item)) continue;
    const converted = convert(item);
    if (converted !== undefined) out.push(converted);
  }
  return out.length > 0 ? out : empty;
}
