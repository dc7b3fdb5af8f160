/**
 * A compact, transferable encoding of converted spans, so that worker threads can parse and
 * convert while the main thread only materializes spans. Structured-cloning a million span objects
 * would cost about as much as parsing them again; this sends numbers in typed arrays (transferred,
 * not copied), ids as bytes, and every repeated string or attribute set once per worker, by index.
 */
import type { Attributes, Span, SpanEvent, SpanReference, StatusCode } from '../../model';
import { intern } from '../../intern';
import { fast, type FastBuffer } from './fast-buffer';
import { EMPTY_ATTRIBUTES, EMPTY_EVENTS, EMPTY_REFERENCES, SPAN_KINDS, canonicalResource, internValue } from '../normalize';

/** Spans whose fields do not fit the columns (rare): carried as objects. */
export interface SpanExtra {
  i: number;
  spanId?: string;
  parentSpanId?: string;
  statusMessage?: string;
  references?: SpanReference[];
  events?: SpanEvent[];
  warnings?: string[];
}

export interface SpanBatch {
  count: number;
  /** Strings new to the worker's table, appended in id order. */
  strings: string[];
  /** Attribute sets new to the table, appended in id order, each with its SetKind. */
  sets: Attributes[];
  setKinds: number[];
  /** INTS per span: trace id, name, service (string ids), attributes, resource (set ids), flags. */
  ints: Int32Array;
  /** start and duration (µs) per span. */
  times: Float64Array;
  /** span id and parent span id, 16 latin1 bytes each, per span. */
  ids: Uint8Array;
  extras: SpanExtra[];
}

const INTS = 6;
const ID_BYTES = 16;
const STATUSES: readonly StatusCode[] = ['unset', 'ok', 'error'];
const KIND_INDEX = new Map(SPAN_KINDS.map((k, i) => [k, i]));
const STATUS_INDEX = new Map(STATUSES.map((s, i) => [s, i]));
/** One-off attribute sets are sent each time; shared ones (the loader's frozen sets) and resources once. */
const enum SetKind {
  OneOff,
  Shared,
  Resource,
}
const HAS_PARENT = 1 << 5;
const HAS_EXTRA = 1 << 6;

function fitsColumn(id: string): boolean {
  if (id.length !== ID_BYTES) return false;
  for (let i = 0; i < ID_BYTES; i++) if (id.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** Worker side: collects spans into batches of `capacity` and hands each full batch to `flush`. */
export class SpanBatchEncoder {
  private readonly stringIds = new Map<string, number>();
  private readonly setIds = new Map<Attributes, number>([[EMPTY_ATTRIBUTES, 0]]);
  private nextSet = 1;
  private lastTrace = '';
  private lastTraceId = -1;
  private lastService = '';
  private lastServiceId = -1;
  private lastResource: Attributes | undefined;
  private lastResourceId = -1;
  private batch!: SpanBatch;
  private idBuf!: FastBuffer;

  constructor(private readonly flush: (batch: SpanBatch, transfer: ArrayBuffer[]) => void, private readonly capacity = 4096) {
    this.reset();
  }

  private reset(): void {
    const ids = new Uint8Array(this.capacity * 2 * ID_BYTES);
    this.batch = { count: 0, strings: [], sets: [], setKinds: [], ints: new Int32Array(this.capacity * INTS), times: new Float64Array(this.capacity * 2), ids, extras: [] };
    this.idBuf = fast(Buffer.from(ids.buffer, ids.byteOffset, ids.byteLength));
  }

  private str(s: string): number {
    let id = this.stringIds.get(s);
    if (id === undefined) {
      id = this.stringIds.size;
      this.stringIds.set(s, id);
      this.batch.strings.push(s);
    }
    return id;
  }

  private set(a: Attributes, resource: boolean): number {
    let id = this.setIds.get(a);
    if (id !== undefined) return id;
    id = this.nextSet++;
    const kind = resource ? SetKind.Resource : Object.isFrozen(a) ? SetKind.Shared : SetKind.OneOff;
    // Only the loader's shared sets recur; a one-off set is sent once and not remembered.
    if (kind !== SetKind.OneOff) this.setIds.set(a, id);
    this.batch.sets.push(a);
    this.batch.setKinds.push(kind);
    return id;
  }

  add(span: Span): void {
    const b = this.batch;
    const i = b.count++;
    const o = i * INTS;
    // Consecutive spans mostly share their trace, service and resource: compared before looked up.
    if (span.traceId !== this.lastTrace) {
      this.lastTrace = span.traceId;
      this.lastTraceId = this.str(span.traceId);
    }
    b.ints[o] = this.lastTraceId;
    b.ints[o + 1] = this.str(span.name);
    if (span.service !== this.lastService) {
      this.lastService = span.service;
      this.lastServiceId = this.str(span.service);
    }
    b.ints[o + 2] = this.lastServiceId;
    b.ints[o + 3] = span.attributes === EMPTY_ATTRIBUTES ? 0 : this.set(span.attributes, false);
    if (span.resource !== this.lastResource) {
      this.lastResource = span.resource;
      this.lastResourceId = this.set(span.resource, true);
    }
    b.ints[o + 4] = this.lastResourceId;
    let flags = (KIND_INDEX.get(span.kind) ?? 0) | ((STATUS_INDEX.get(span.status) ?? 0) << 3);
    let extra: SpanExtra | undefined;
    if (fitsColumn(span.spanId)) this.idBuf.latin1Write(span.spanId, i * 2 * ID_BYTES, ID_BYTES);
    else (extra ??= { i }).spanId = span.spanId;
    if (span.parentSpanId !== undefined) {
      flags |= HAS_PARENT;
      if (fitsColumn(span.parentSpanId)) this.idBuf.latin1Write(span.parentSpanId, (i * 2 + 1) * ID_BYTES, ID_BYTES);
      else (extra ??= { i }).parentSpanId = span.parentSpanId;
    }
    if (span.statusMessage !== undefined) (extra ??= { i }).statusMessage = span.statusMessage;
    if (span.references.length > 0) (extra ??= { i }).references = span.references;
    if (span.events.length > 0) (extra ??= { i }).events = span.events;
    if (span.warnings !== undefined) (extra ??= { i }).warnings = span.warnings;
    if (extra !== undefined) {
      flags |= HAS_EXTRA;
      b.extras.push(extra);
    }
    b.ints[o + 5] = flags;
    b.times[i * 2] = span.start;
    b.times[i * 2 + 1] = span.duration;
    if (b.count === this.capacity) this.end();
  }

  /** Hands over what is pending (nothing when empty). */
  end(): void {
    const b = this.batch;
    if (b.count === 0 && b.strings.length === 0 && b.sets.length === 0) return;
    this.reset();
    this.flush(b, [b.ints.buffer as ArrayBuffer, b.times.buffer as ArrayBuffer, b.ids.buffer as ArrayBuffer]);
  }
}

/**
 * Main side: one decoder per worker (its tables mirror that worker's). A worker's shared attribute
 * set arrives once and is shared by all its spans, frozen and with pooled strings as the loader's
 * own; two threads may each have their copy of a set.
 */
export class SpanBatchDecoder {
  private readonly strings: string[] = [];
  private readonly sets: Attributes[] = [EMPTY_ATTRIBUTES];

  decode(b: SpanBatch, add: (span: Span) => void): void {
    for (const s of b.strings) this.strings.push(intern(s));
    for (let k = 0; k < b.sets.length; k++) {
      const set = b.sets[k]!;
      const kind = b.setKinds[k] as SetKind;
      this.sets.push(kind === SetKind.OneOff ? set : kind === SetKind.Shared ? shared(set) : canonicalResource(shared(set)));
    }
    const ids = fast(Buffer.from(b.ids.buffer, b.ids.byteOffset, b.ids.byteLength));
    const { ints, times, extras } = b;
    let nextExtra = 0;
    for (let i = 0; i < b.count; i++) {
      const o = i * INTS;
      const flags = ints[o + 5]!;
      const extra = flags & HAS_EXTRA ? extras[nextExtra++] : undefined;
      const span: Span = {
        traceId: this.strings[ints[o]!]!,
        spanId: extra?.spanId ?? ids.latin1Slice(i * 2 * ID_BYTES, (i * 2 + 1) * ID_BYTES),
        parentSpanId: flags & HAS_PARENT ? (extra?.parentSpanId ?? ids.latin1Slice((i * 2 + 1) * ID_BYTES, (i * 2 + 2) * ID_BYTES)) : undefined,
        references: extra?.references ?? EMPTY_REFERENCES,
        name: this.strings[ints[o + 1]!]!,
        service: this.strings[ints[o + 2]!]!,
        kind: SPAN_KINDS[flags & 7]!,
        start: times[i * 2]!,
        duration: times[i * 2 + 1]!,
        status: STATUSES[(flags >> 3) & 3]!,
        statusMessage: extra?.statusMessage,
        attributes: this.sets[ints[o + 3]!]!,
        resource: this.sets[ints[o + 4]!]!,
        events: extra?.events ?? EMPTY_EVENTS,
        warnings: extra?.warnings,
      };
      add(span);
    }
  }
}

function shared(set: Attributes): Attributes {
  const out: Attributes = {};
  for (const k of Object.keys(set)) out[intern(k)] = internValue(set[k]!);
  return Object.freeze(out);
}
