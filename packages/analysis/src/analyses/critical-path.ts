import type { Span, Trace } from '../model';
import { at, f64, i32 } from './checked';
import { indexChildren } from './child-index';

/** One piece of the critical path: the span responsible for [start, end) (µs, half-open). */
export interface CriticalPathSection {
  spanId: string;
  start: number;
  end: number;
}

/**
 * A trace's critical path as parallel arrays: section j is span `span[j]` (index into the trace's
 * spans) over [start[j], end[j]). The arrays belong to the workspace they were computed in, valid
 * until its next use.
 */
export interface SectionList {
  length: number;
  span: Int32Array;
  start: Float64Array;
  end: Float64Array;
}

/**
 * Critical path with Jaeger UI's semantics (TracePage/CriticalPath): per root, children are clipped to
 * their parent, PRODUCER→CONSUMER children are pruned, and the walk goes backwards from the root's end
 * through the last-finishing child at each level. Sections are newest first per root; roots are taken
 * in start order and their lists concatenated. See docs/critical-path.md.
 *
 * Deliberate difference from the UI (documented and tested): a span whose parent is missing from the
 * trace (an orphan) is walked as a root of its own, so its subtree's time shows up; the UI deletes
 * such subtrees (derived case `orphan-subtree`). Duplicate span ids are resolved by the loader the way
 * the UI does it (second occurrence renamed `<id>_1`), so the `duplicate-span-id` case matches the UI.
 *
 * O(n log n): children are sorted once by end time per parent, and because the bound only ever
 * decreases while a parent is revisited, a cursor finds each next last-finishing child. Iterative, so
 * deep traces cannot overflow the stack.
 */
export function criticalPath(trace: Trace): CriticalPathSection[] {
  const spans = trace.spans;
  const list = criticalPathSections(spans, undefined);
  const out: CriticalPathSection[] = new Array<CriticalPathSection>(list.length);
  for (let j = 0; j < list.length; j++) out[j] = { spanId: at(spans, i32(list.span, j)).spanId, start: f64(list.start, j), end: f64(list.end, j) };
  return out;
}

/**
 * Working memory for the walk, grown to the largest trace seen. A caller that walks many traces
 * (trace-facts' pass over a whole data set) keeps one and passes it to every call: allocating a
 * dozen typed arrays per trace cost more than the walk itself. One per caller, never shared between
 * concurrent walks; a call without one gets a fresh one.
 */
export class CriticalPathWorkspace {
  capacity = 0;
  parent = new Int32Array(0);
  rawStart = new Float64Array(0);
  rawEnd = new Float64Array(0);
  /** Clipped interval of each span kept on its root's tree. */
  start = new Float64Array(0);
  end = new Float64Array(0);
  /** Children of span p (start order) are childList[childOffset[p] .. childOffset[p + 1]). */
  childOffset = new Int32Array(0);
  childList = new Int32Array(0);
  /** Kept (not pruned, not dropped) children of p, by end descending, in kept[childOffset[p] ..] (keptCount[p] of them). */
  kept = new Int32Array(0);
  keptCount = new Int32Array(0);
  /** Position in p's kept list of the next candidate last-finishing child (and, briefly, fill positions). */
  cursor = new Int32Array(0);
  stack = new Int32Array(0);

  ensure(n: number): void {
    if (n <= this.capacity) return;
    const c = Math.max(n, this.capacity * 2, 64);
    this.capacity = c;
    this.parent = new Int32Array(c);
    this.rawStart = new Float64Array(c);
    this.rawEnd = new Float64Array(c);
    this.start = new Float64Array(c);
    this.end = new Float64Array(c);
    this.childOffset = new Int32Array(c + 1);
    this.childList = new Int32Array(c);
    this.kept = new Int32Array(c);
    this.keptCount = new Int32Array(c);
    this.cursor = new Int32Array(c);
    this.stack = new Int32Array(c);
  }

  readonly sections: SectionList = { length: 0, span: new Int32Array(64), start: new Float64Array(64), end: new Float64Array(64) };

  pushSection(span: number, start: number, end: number): void {
    const sections = this.sections;
    const j = sections.length;
    if (j === sections.span.length) {
      const grow = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      sections.span = grow(sections.span, (n) => new Int32Array(n));
      sections.start = grow(sections.start, (n) => new Float64Array(n));
      sections.end = grow(sections.end, (n) => new Float64Array(n));
    }
    sections.span[j] = span;
    sections.start[j] = start;
    sections.end[j] = end;
    sections.length = j + 1;
  }
}

/**
 * criticalPath() as a SectionList. `knownParent` (trace-facts' parent index: a negative value for
 * no parent in the trace, never the span itself) saves finding parents by id again.
 */
export function criticalPathSections(spans: readonly Span[], knownParent: readonly number[] | undefined, ws = new CriticalPathWorkspace()): SectionList {
  const n = spans.length;
  const sections = ws.sections;
  sections.length = 0;
  if (n === 0) return sections;
  ws.ensure(n);
  const { parent, rawStart, rawEnd, childOffset, childList, cursor } = ws;
  if (knownParent)
    for (let i = 0; i < n; i++) {
      const p = at(knownParent, i);
      parent[i] = p >= 0 ? p : -1;
    }
  else findParents(spans, parent);

  // Loaded traces list every parent before its children (start order); then there is no cycle
  // and index order is a topological order. Otherwise break cycles and find one.
  let parentsFirst = true;
  for (let i = 0; i < n && parentsFirst; i++) if (i32(parent, i) >= i) parentsFirst = false;
  let order: number[] | undefined;
  if (!parentsFirst) {
    // A reference cycle (corrupt data) would make every span in it have a parent; break it so each
    // span is reachable from some root.
    breakCycles(parent, n);
    order = topologicalOrder(parent, n);
  }
  // Start-time repair as in the UI: missing/NaN/≤0 start → the parent's repaired start (0 for a root).
  for (let k = 0; k < n; k++) {
    const i = order ? at(order, k) : k;
    const s = at(spans, i);
    const p = i32(parent, i);
    let st = s.start;
    if (!(st > 0)) st = p >= 0 ? f64(rawStart, p) : 0;
    rawStart[i] = st;
    rawEnd[i] = st + (Number.isFinite(s.duration) ? s.duration : 0);
  }

  // Children lists in (repaired start, input order) order; roots likewise.
  // Loaded traces are already in start order: then the identity is that order and no sort is needed.
  let inOrder = true;
  for (let i = 1; i < n && inOrder; i++) if (!(f64(rawStart, i) >= f64(rawStart, i - 1))) inOrder = false;
  let byStart: number[] | undefined;
  if (!inOrder) {
    byStart = Array.from({ length: n }, (_, i) => i);
    byStart.sort((a, b) => f64(rawStart, a) - f64(rawStart, b) || a - b);
  }
  indexChildren(parent, n, byStart, childOffset, cursor, childList);
  for (let k = 0; k < n; k++) {
    const i = byStart ? at(byStart, k) : k;
    if (i32(parent, i) < 0) walkRoot(i, spans, ws);
  }
  return sections;
}

/** Parent index by id (first span with an id), -1 for none or a span naming itself. */
function findParents(spans: readonly Span[], parent: Int32Array): void {
  const indexById = new Map<string, number>();
  spans.forEach((s, i) => {
    if (!indexById.has(s.spanId)) indexById.set(s.spanId, i);
  });
  spans.forEach((s, i) => {
    const p = s.parentSpanId === undefined ? undefined : indexById.get(s.parentSpanId);
    parent[i] = p !== undefined && p !== i ? p : -1;
  });
}

/** Kept lists longer than this are sorted with Array#sort (insertion sort is quadratic). */
const INSERTION_SORT_MAX = 16;

function walkRoot(root: number, spans: readonly Span[], ws: CriticalPathWorkspace): void {
  const { parent, childOffset, childList, rawStart, rawEnd, start, end, kept, keptCount, cursor, stack } = ws;
  // Prune PRODUCER→CONSUMER edges and clip children into their (already clipped) parent, pre-order.
  start[root] = f64(rawStart, root);
  end[root] = f64(rawEnd, root);
  stack[0] = root;
  let top = 1;
  while (top > 0) {
    const p = i32(stack, --top);
    const ps = f64(start, p);
    const pe = f64(end, p);
    const producer = at(spans, p).kind === 'producer';
    const base = i32(childOffset, p);
    const childrenEnd = i32(childOffset, p + 1);
    let count = 0;
    for (let j = base; j < childrenEnd; j++) {
      const c = i32(childList, j);
      if (producer && at(spans, c).kind === 'consumer') continue;
      const cs = f64(rawStart, c);
      const ce = f64(rawEnd, c);
      if (cs >= pe || ce <= ps) continue;
      start[c] = Math.max(cs, ps);
      end[c] = Math.min(ce, pe);
      cursor[c] = count; // start-order position, used as the tie-break below
      kept[base + count++] = c;
      stack[top++] = c;
    }
    keptCount[p] = count;
    // By end descending; equal ends keep start order, so the earliest-starting child wins ties.
    if (count > 1) sortKept(base, count, ws);
  }

  cursor[root] = 0;
  let current = root;
  let bounded = false;
  let bound = 0;
  for (;;) {
    const e = bounded ? bound : f64(end, current);
    const base = i32(childOffset, current);
    const count = i32(keptCount, current);
    let k = i32(cursor, current);
    if (bounded) while (k < count && f64(end, i32(kept, base + k)) >= bound) k++;
    if (k < count) {
      const last = i32(kept, base + k);
      cursor[current] = k + 1;
      const lastEnd = f64(end, last);
      if (lastEnd < e) ws.pushSection(current, lastEnd, e);
      cursor[last] = 0;
      current = last;
      bounded = false;
      continue;
    }
    cursor[current] = k;
    const s = f64(start, current);
    if (s < e) ws.pushSection(current, s, e);
    if (current === root) return;
    bound = s;
    bounded = true;
    current = i32(parent, current);
  }
}

/** Sorts kept[base, base + count) by end descending, ties by start-order position (a total order, so any sort agrees). */
function sortKept(base: number, count: number, ws: CriticalPathWorkspace): void {
  const { kept, end, cursor } = ws;
  if (count > INSERTION_SORT_MAX) {
    const list = Array.from(kept.subarray(base, base + count));
    list.sort((a, b) => f64(end, b) - f64(end, a) || i32(cursor, a) - i32(cursor, b));
    kept.set(list, base);
    return;
  }
  // Stable insertion sort: equal ends stay in insertion (= start) order.
  for (let a = base + 1; a < base + count; a++) {
    const x = i32(kept, a);
    const ex = f64(end, x);
    let b = a - 1;
    while (b >= base && f64(end, i32(kept, b)) < ex) {
      kept[b + 1] = i32(kept, b);
      b--;
    }
    kept[b + 1] = x;
  }
}

/** Indices ordered so every parent comes before its children. */
function topologicalOrder(parent: Int32Array, n: number): number[] {
  const kids: number[][] = Array.from({ length: n }, () => []);
  const order: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = i32(parent, i);
    if (p >= 0) at(kids, p).push(i);
    else order.push(i);
  }
  for (let k = 0; k < order.length; k++) for (const c of at(kids, at(order, k))) order.push(c);
  return order;
}

function breakCycles(parent: Int32Array, n: number): void {
  const state = new Uint8Array(n); // 0 unseen, 1 on the current chain, 2 done
  for (let i = 0; i < n; i++) {
    if (state[i] !== 0) continue;
    const chain: number[] = [];
    let j = i;
    while (j >= 0 && state[j] === 0) {
      state[j] = 1;
      chain.push(j);
      j = i32(parent, j);
    }
    if (j >= 0 && state[j] === 1) parent[j] = -1;
    for (const c of chain) state[c] = 2;
  }
}
