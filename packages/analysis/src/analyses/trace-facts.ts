/**
 * Facts about one trace that several analyses need (roots, parent links, end-to-end time,
 * failure, ML context, critical path and self time), computed once and memoized per Trace
 * object so that `analyze()` does not recompute them for every analysis. The memo holds only
 * compact typed arrays and a few numbers, so a million spans stay cheap.
 */
import { ATTR_BUSINESS_CUSTOMER_SEGMENT, ATTR_BUSINESS_PRIORITY, ATTR_BUSINESS_REGION, ATTR_ML_DATA_BATCH_ID, ATTR_ML_EXPERIMENT_ID, ATTR_ML_FEATURE_STORE_VERSION, ATTR_ML_MODEL_VERSION, ATTR_ML_PREDICTION_CONFIDENCE, ATTR_ML_PREDICTION_CONFIDENCE_MEAN } from '@mltrace/tracing/attributes';
import { ATTR_HTTP_RESPONSE_STATUS_CODE } from '@opentelemetry/semantic-conventions';
import { ATTR_HTTP_STATUS_CODE } from '@mltrace/tracing/semconv';
import { isError, spanEnd, type Span, type Trace } from '../model';
import { ChildLists } from './child-index';
import { CriticalPathWorkspace, criticalPathSections, type SectionList } from './critical-path';
import { selfTime as selfTimeOf, selfTimes } from './self-time';


/** The ML/business attributes every metric can be sliced by. */
export const SLICE_KEYS: readonly string[] = [
  ATTR_ML_MODEL_VERSION,
  ATTR_ML_EXPERIMENT_ID,
  ATTR_ML_FEATURE_STORE_VERSION,
  ATTR_ML_DATA_BATCH_ID,
  ATTR_BUSINESS_CUSTOMER_SEGMENT,
  ATTR_BUSINESS_REGION,
  ATTR_BUSINESS_PRIORITY,
];

const HTTP_STATUS_KEYS: readonly string[] = [ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_STATUS_CODE];
// Plain module constants: an imported binding is read through a getter on every use.
const CONFIDENCE_MEAN: string = ATTR_ML_PREDICTION_CONFIDENCE_MEAN;
const CONFIDENCE: string = ATTR_ML_PREDICTION_CONFIDENCE;

/** NO_PARENT: a root; MISSING_PARENT: names a parent that is not in the trace (an orphan). */
export const NO_PARENT = -1;
export const MISSING_PARENT = -2;

export interface TraceFacts {
  /**
   * Per span (same order as trace.spans): index of its parent, NO_PARENT or MISSING_PARENT. A plain
   * array of small integers: for a trace of a dozen spans it is half the size of an Int32Array.
   */
  parent: readonly number[];
  /** Indexes of spans without a parent inside the trace (roots and orphans), earliest first. */
  roots: number[];
  start: number;
  end: number;
  /** End-to-end latency: latest span end − earliest span start (µs). */
  e2e: number;
  /**
   * The request failed: its entry span (the earliest root) failed (see isFailure) or answered 5xx.
   * A request's outcome is its entry span's: errors below it that the request survived (a retried
   * Redis call, a fallback) are *handled* (see `handled`). A rejected request is never failed: the
   * pipeline did what it should with a bad request.
   */
  failed: boolean;
  /** Spans that failed (isFailure) in a request that was neither failed nor rejected: errors the request survived. */
  handled: number;
  /** The request was refused as the caller's mistake: its root span answered 4xx (validation, unknown entity). */
  rejected: boolean;
  /** Values of SLICE_KEYS (undefined where the trace does not carry the key). */
  context: (string | undefined)[];
  /** Mean prediction confidence reported by the trace's spans, if any. */
  confidence: number | undefined;
  /** Self time per span, aligned with trace.spans (µs). A plain array: a small typed array per trace costs an off-heap buffer. */
  selfTime: number[];
  /** Critical-path time per operation key and per service (µs). */
  cpByOp: Tally;
  cpByService: Tally;
  /**
   * Critical-path time per service including the time its callers' client spans wait on it
   * beyond its own spans (network, queueing before its server span starts).
   */
  cpByCallee: Tally;
}

/**
 * Sums per key in first-insertion order, as two parallel arrays: the memo holds three per trace,
 * and a trace has a handful of keys.
 */
export class Tally {
  constructor(
    readonly keys: readonly string[],
    readonly values: readonly number[],
  ) {}

  get(key: string): number | undefined {
    const i = this.keys.indexOf(key);
    return i < 0 ? undefined : this.values[i];
  }

  forEach(fn: (value: number, key: string) => void): void {
    for (let i = 0; i < this.keys.length; i++) fn(this.values[i] as number, this.keys[i] as string);
  }
}

/** Adds x to key's sum (a new key starts at x); a linear search finds one of a handful of keys faster than hashing. */
function addTo(keys: string[], values: number[], key: string, x: number): void {
  const i = keys.indexOf(key);
  if (i < 0) {
    keys.push(key);
    values.push(x);
  } else values[i] = (values[i] as number) + x;
}

/** "service\u0000operation": the key of an operation everywhere in the analyses. */
export function opKey(service: string, name: string): string {
  return `${service}\u0000${name}`;
}

export function splitOpKey(key: string): { service: string; operation: string } {
  const i = key.indexOf('\u0000');
  return { service: key.slice(0, i), operation: key.slice(i + 1) };
}

export function httpStatus(span: Span): number | undefined {
  for (const k of HTTP_STATUS_KEYS) {
    const v = span.attributes[k];
    if (typeof v === 'number') return v;
    if (typeof v === 'string' && /^\d{3}$/.test(v)) return Number(v);
  }
  return undefined;
}

/**
 * A span that failed the request: error status, except 4xx answers (the caller's mistake,
 * e.g. an invalid request in the load mix), which are not failures of the pipeline.
 */
export function isFailure(span: Span): boolean {
  if (!isError(span)) return false;
  const status = httpStatus(span);
  return !(status !== undefined && status >= 400 && status < 500);
}

/** A span that counts as a failure of its trace: a failure span in a trace that was not rejected. */
export function failsTrace(facts: TraceFacts, span: Span): boolean {
  return !facts.rejected && isFailure(span);
}

/**
 * Working memory for computing the facts of many traces in one pass: the children index and the
 * critical-path walk reuse their arrays from trace to trace, and operation keys are made once per
 * distinct pair. analyze() keeps one for its run (prepareFacts); a lone traceFacts() call makes its own.
 */
export class FactsWorkspace {
  readonly children = new ChildLists();
  readonly criticalPath = new CriticalPathWorkspace();
  private readonly opKeys = new Map<string, Map<string, string>>();

  /** opKey(service, name), one string per distinct pair of this workspace's traces. */
  opKey(service: string, name: string): string {
    let inner = this.opKeys.get(service);
    if (!inner) this.opKeys.set(service, (inner = new Map()));
    let key = inner.get(name);
    if (key === undefined) inner.set(name, (key = opKey(service, name)));
    return key;
  }
}

/** The memo lives on the trace under a symbol (invisible to JSON and to other code); faster than a WeakMap lookup. */
const FACTS = Symbol('mltrace.traceFacts');
type WithFacts = Trace & { [FACTS]?: TraceFacts };

export function traceFacts(trace: Trace, ws?: FactsWorkspace): TraceFacts {
  const t = trace as WithFacts;
  let f = t[FACTS];
  if (!f) Object.defineProperty(t, FACTS, { value: (f = computeFacts(trace, ws ?? new FactsWorkspace())), enumerable: false, writable: true });
  return f;
}

/** Computes the facts of every trace in one pass with one workspace (the analyses then read the memo). */
export function prepareFacts(traces: readonly Trace[]): void {
  const ws = new FactsWorkspace();
  for (const t of traces) traceFacts(t, ws);
}

/** Drops the memo (after a trace's spans were changed in place). */
export function forgetFacts(trace: Trace): void {
  (trace as WithFacts)[FACTS] = undefined;
}

function computeFacts(trace: Trace, ws: FactsWorkspace): TraceFacts {
  const children = ws.children;
  const spans = trace.spans;
  const n = spans.length;
  const index = new Map<string, number>();
  // First span per id: filled backwards, so an earlier duplicate overwrites a later one (one hash operation per span instead of has + set).
  for (let i = n - 1; i >= 0; i--) index.set((spans[i] as Span).spanId, i);
  const parent = new Array<number>(n);
  // Parent by id before the self-parent check: children are found as selfTimes() finds them by
  // parent id, where a span naming itself as parent is its own child.
  const byId = children.begin(n);
  const roots: number[] = [];
  let start = Infinity;
  let end = -Infinity;
  let failures = 0;
  let confSum = 0;
  let confN = 0;
  for (let i = 0; i < n; i++) {
    const s = spans[i] as Span;
    const p = s.parentSpanId === undefined ? NO_PARENT : (index.get(s.parentSpanId) ?? MISSING_PARENT);
    byId[i] = p;
    const own = p === i ? MISSING_PARENT : p;
    parent[i] = own;
    if (own < 0) roots.push(i);
    if (s.start < start) start = s.start;
    const e = spanEnd(s);
    if (e > end) end = e;
    if (isFailure(s)) failures++;
    const c = s.attributes[CONFIDENCE_MEAN] ?? s.attributes[CONFIDENCE];
    if (typeof c === 'number' && Number.isFinite(c)) {
      confSum += c;
      confN++;
    }
  }
  roots.sort((a, b) => (spans[a] as Span).start - (spans[b] as Span).start);
  const entry = roots.length ? (spans[roots[0] as number] as Span) : undefined;
  const status = entry === undefined ? undefined : httpStatus(entry);
  const rejected = status !== undefined && status >= 400 && status < 500;
  const failed = !rejected && entry !== undefined && (isFailure(entry) || (status !== undefined && status >= 500));
  const handled = failed || rejected ? 0 : failures;
  const context = SLICE_KEYS.map((key) => {
    const rootSpan = roots.length ? spans[roots[0] as number] : undefined;
    const v = rootSpan?.attributes[key];
    if (v !== undefined) return String(v);
    for (const s of spans) {
      const w = s.attributes[key];
      if (w !== undefined) return String(w);
    }
    return undefined;
  });

  children.index(n);
  const selfTime = new Array<number>(n);
  if (index.size === n) {
    for (let i = 0; i < n; i++) selfTime[i] = selfTimeOf(spans[i] as Span, children.of(spans, i));
  } else {
    // Duplicate ids (hand-built traces; loaders rename them): keep selfTimes()'s by-id semantics.
    const st = selfTimes(trace);
    for (let i = 0; i < n; i++) selfTime[i] = st.get((spans[i] as Span).spanId) ?? (spans[i] as Span).duration;
  }

  const sections = criticalPathSections(spans, parent, ws.criticalPath);
  const cpByOp = { keys: [] as string[], values: [] as number[] };
  const cpByService = { keys: [] as string[], values: [] as number[] };
  const cpByCallee = { keys: [] as string[], values: [] as number[] };
  const exclusive = exclusiveTimes(sections, roots.length > 1);
  // Without duplicate ids a section's span is the one it names; otherwise the first span with its id.
  const unique = index.size === n;
  for (let j = 0; j < sections.length; j++) {
    const d = exclusive ? (exclusive[j] as number) : (sections.end[j] as number) - (sections.start[j] as number);
    const i = unique ? (sections.span[j] as number) : (index.get((spans[sections.span[j] as number] as Span).spanId) as number);
    const s = spans[i] as Span;
    addTo(cpByOp.keys, cpByOp.values, ws.opKey(s.service, s.name), d);
    addTo(cpByService.keys, cpByService.values, s.service, d);
    addTo(cpByCallee.keys, cpByCallee.values, s.kind === 'client' ? calleeOf(s, children.of(spans, i)) : s.service, d);
  }
  return {
    parent,
    roots: roots.slice(), // exactly sized (a pushed-to array keeps spare capacity in the memo)
    start: n ? start : 0,
    end: n ? end : 0,
    e2e: n ? end - start : 0,
    failed,
    handled,
    rejected,
    context,
    confidence: confN ? confSum / confN : undefined,
    selfTime,
    cpByOp: new Tally(cpByOp.keys, cpByOp.values),
    cpByService: new Tally(cpByService.keys, cpByService.values),
    cpByCallee: new Tally(cpByCallee.keys, cpByCallee.values),
  };
}

/**
 * The service a client span calls, for cpByCallee: its last direct child in another service, else
 * its own. (A child naming itself as its parent is in its own service, so it never counts.)
 */
function calleeOf(client: Span, children: readonly Span[]): string {
  let callee = client.service;
  for (const c of children) if (c.service !== client.service) callee = c.service;
  return callee;
}

/**
 * The time each critical-path section alone accounts for, or undefined when that is its length. A
 * trace with several roots (orphans, split traces) has one path per root and those can overlap in
 * time; an instant is counted once, for the earliest root (criticalPath lists roots in start order,
 * and one root's sections never overlap each other), so a trace's critical-path time never exceeds
 * its end-to-end time.
 */
function exclusiveTimes(sections: SectionList, overlapPossible: boolean): number[] | undefined {
  if (!overlapPossible) return undefined;
  const covered: Array<[number, number]> = []; // disjoint, sorted by start
  const out: number[] = [];
  for (let j = 0; j < sections.length; j++) {
    const start = sections.start[j] as number;
    const end = sections.end[j] as number;
    let d = end - start;
    for (const [a, b] of covered) {
      if (a >= end) break;
      d -= Math.max(0, Math.min(b, end) - Math.max(a, start));
    }
    out.push(Math.max(0, d));
    // Merge [start, end) into the covered set.
    let lo = start;
    let hi = end;
    const kept: Array<[number, number]> = [];
    for (const iv of covered) {
      if (iv[1] < lo || iv[0] > hi) kept.push(iv);
      else {
        lo = Math.min(lo, iv[0]);
        hi = Math.max(hi, iv[1]);
      }
    }
    kept.push([lo, hi]);
    kept.sort((x, y) => x[0] - y[0]);
    covered.splice(0, covered.length, ...kept);
  }
  return out;
}

/** Depth of span i (roots are 0). */
export function depthOf(parent: readonly number[], i: number): number {
  let d = 0;
  for (let p = parent[i] as number; p >= 0 && d < parent.length; p = parent[p] as number) d++;
  return d;
}

/**
 * The span through which span i's service was entered for this request: the nearest
 * ancestor-or-self whose parent is in another service (or that has no parent).
 */
export function entryOf(spans: readonly Span[], parent: readonly number[], i: number): number {
  let cur = i;
  const service = (spans[i] as Span).service;
  for (let guard = 0; guard < spans.length; guard++) {
    const p = parent[cur] as number;
    if (p < 0 || (spans[p] as Span).service !== service) return cur;
    cur = p;
  }
  return cur;
}

/** True when span i is where its service was entered (no parent in the trace, or a parent in another service). */
export function isEntry(spans: readonly Span[], parent: readonly number[], i: number): boolean {
  const p = parent[i] as number;
  return p < 0 || (spans[p] as Span).service !== (spans[i] as Span).service;
}
