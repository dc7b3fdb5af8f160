import type { Span, Trace } from '../model';

/** One piece of the critical path: the span responsible for [start, end) (µs, half-open). */
export interface CriticalPathSection {
  spanId: string;
  start: number;
  end: number;
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
  return criticalPathIndexed(trace.spans, undefined, undefined);
}

/**
 * criticalPath() for trace-facts: reuses its span-id index (first occurrence per id, as built here)
 * and, when `sectionSpans` is given, records each section's span index alongside it.
 */
export function criticalPathIndexed(spans: readonly Span[], index: ReadonlyMap<string, number> | undefined, sectionSpans: number[] | undefined): CriticalPathSection[] {
  const n = spans.length;
  if (n === 0) return [];

  let indexById = index;
  if (indexById === undefined) {
    const built = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const id = spans[i]!.spanId;
      if (!built.has(id)) built.set(id, i);
    }
    indexById = built;
  }
  const parent = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const pid = spans[i]!.parentSpanId;
    if (pid === undefined) continue;
    const p = indexById.get(pid);
    if (p !== undefined && p !== i) parent[i] = p;
  }
  // A reference cycle (corrupt data) would make every span in it have a parent; break it so each span
  // is reachable from some root.
  breakCycles(parent);

  // Start-time repair as in the UI: missing/NaN/≤0 start → the parent's repaired start (0 for a root).
  const start = new Float64Array(n);
  const end = new Float64Array(n);
  const order = topologicalOrder(parent);
  for (const i of order) {
    const s = spans[i]!;
    let st = s.start;
    if (!(st > 0)) st = parent[i]! >= 0 ? start[parent[i]!]! : 0;
    start[i] = st;
    end[i] = st + (Number.isFinite(s.duration) ? s.duration : 0);
  }

  // Children lists in (repaired start, input order) order; roots likewise.
  // Loaded traces are already in start order: then the identity is that order and no sort is needed.
  let inOrder = true;
  for (let i = 1; i < n && inOrder; i++) if (!(start[i]! >= start[i - 1]!)) inOrder = false;
  const byStart = Array.from({ length: n }, (_, i) => i);
  if (!inOrder) byStart.sort((a, b) => start[a]! - start[b]! || a - b);
  const children: number[][] = Array.from({ length: n }, () => []);
  const roots: number[] = [];
  for (const i of byStart) {
    const p = parent[i]!;
    if (p >= 0) children[p]!.push(i);
    else roots.push(i);
  }

  const ctx: WalkContext = {
    spans,
    parent,
    children,
    rawStart: start,
    rawEnd: end,
    start: new Float64Array(n),
    end: new Float64Array(n),
    kept: new Array<number[] | undefined>(n),
    cursor: new Int32Array(n),
  };
  const sections: CriticalPathSection[] = [];
  for (const root of roots) walkRoot(root, ctx, sections, sectionSpans);
  return sections;
}

interface WalkContext {
  spans: readonly Span[];
  parent: Int32Array;
  children: number[][];
  rawStart: Float64Array;
  rawEnd: Float64Array;
  /** Clipped interval of each span kept on its root's tree. */
  start: Float64Array;
  end: Float64Array;
  /** Kept (not pruned, not dropped) children, by end descending. */
  kept: Array<number[] | undefined>;
  /** Position in `kept` of the next candidate last-finishing child. */
  cursor: Int32Array;
}

function walkRoot(root: number, ctx: WalkContext, out: CriticalPathSection[], outSpans: number[] | undefined): void {
  const { spans, parent, children, rawStart, rawEnd, start, end, kept, cursor } = ctx;
  // Prune PRODUCER→CONSUMER edges and clip children into their (already clipped) parent, pre-order.
  start[root] = rawStart[root]!;
  end[root] = rawEnd[root]!;
  const stack = [root];
  while (stack.length > 0) {
    const p = stack.pop()!;
    const ps = start[p]!;
    const pe = end[p]!;
    const list: number[] = [];
    for (const c of children[p]!) {
      if (spans[p]!.kind === 'producer' && spans[c]!.kind === 'consumer') continue;
      if (rawStart[c]! >= pe || rawEnd[c]! <= ps) continue;
      start[c] = Math.max(rawStart[c]!, ps);
      end[c] = Math.min(rawEnd[c]!, pe);
      cursor[c] = list.length; // start-order position, used as the tie-break below
      list.push(c);
      stack.push(c);
    }
    // By end descending; equal ends keep start order, so the earliest-starting child wins ties.
    if (list.length > 1) list.sort((a, b) => end[b]! - end[a]! || cursor[a]! - cursor[b]!);
    kept[p] = list;
  }

  cursor[root] = 0;
  let current = root;
  let bound: number | undefined;
  for (;;) {
    const e = bound ?? end[current]!;
    const list = kept[current]!;
    let k = cursor[current]!;
    if (bound !== undefined) while (k < list.length && end[list[k]!]! >= bound) k++;
    const last = list[k];
    if (last !== undefined) {
      cursor[current] = k + 1;
      const lastEnd = end[last]!;
      if (lastEnd < e) {
        out.push({ spanId: spans[current]!.spanId, start: lastEnd, end: e });
        outSpans?.push(current);
      }
      cursor[last] = 0;
      current = last;
      bound = undefined;
      continue;
    }
    cursor[current] = k;
    const s = start[current]!;
    if (s < e) {
      out.push({ spanId: spans[current]!.spanId, start: s, end: e });
      outSpans?.push(current);
    }
    if (current === root) return;
    bound = s;
    current = parent[current]!;
  }
}

/** Indices ordered so every parent comes before its children. */
function topologicalOrder(parent: Int32Array): number[] {
  const n = parent.length;
  const kids: number[][] = Array.from({ length: n }, () => []);
  const order: number[] = [];
  for (let i = 0; i < n; i++) {
    if (parent[i]! >= 0) kids[parent[i]!]!.push(i);
    else order.push(i);
  }
  for (let k = 0; k < order.length; k++) for (const c of kids[order[k]!]!) order.push(c);
  return order;
}

function breakCycles(parent: Int32Array): void {
  const n = parent.length;
  const state = new Uint8Array(n); // 0 unseen, 1 on the current chain, 2 done
  for (let i = 0; i < n; i++) {
    if (state[i] !== 0) continue;
    const chain: number[] = [];
    let j = i;
    while (j >= 0 && state[j] === 0) {
      state[j] = 1;
      chain.push(j);
      j = parent[j]!;
    }
    if (j >= 0 && state[j] === 1) parent[j] = -1;
    for (const c of chain) state[c] = 2;
  }
}
