/**
 * Children of every span of a trace as a compressed index in typed arrays (CSR): the children of
 * span p are list[offset[p] .. offset[p + 1]). Callers keep the arrays and reuse them from trace
 * to trace, so grouping a trace's spans by parent allocates nothing.
 */
import type { Span } from '../model';

const NO_CHILDREN: readonly Span[] = [];

/**
 * Fills offset (n + 1 entries), list (n) and, as scratch, cursor (n) from parent (negative: no
 * parent). Children are listed in the order given (index order when `order` is undefined).
 */
export function indexChildren(parent: ArrayLike<number>, n: number, order: ArrayLike<number> | undefined, offset: Int32Array, cursor: Int32Array, list: Int32Array): void {
  // Typed arrays read as numbers (0 past their end), so no element read here is undefined.
  offset.fill(0, 0, n + 1);
  for (let i = 0; i < n; i++) {
    const p = parent[i] as number;
    if (p >= 0) offset[p + 1] = (offset[p + 1] as number) + 1;
  }
  for (let i = 0; i < n; i++) {
    const from = offset[i] as number;
    offset[i + 1] = (offset[i + 1] as number) + from;
    cursor[i] = from;
  }
  for (let k = 0; k < n; k++) {
    const i = order ? (order[k] as number) : k;
    const p = parent[i] as number;
    if (p >= 0) list[(cursor[p] as number)++] = i;
  }
}

/**
 * Direct children of every span of the trace being computed, in trace order, in flat arrays reused
 * from trace to trace (a list per parent was several small arrays per trace, all garbage at once).
 */
export class ChildLists {
  private parentOf = new Int32Array(64);
  private start = new Int32Array(65);
  private cursor = new Int32Array(64);
  private list = new Int32Array(64);

  /** Starts a trace of n spans: fill the returned array with each span's parent index (negative: none). */
  begin(n: number): Int32Array {
    if (n > this.list.length) {
      // Grown to the largest trace seen.
      const c = Math.max(n, this.list.length * 2);
      this.parentOf = new Int32Array(c);
      this.start = new Int32Array(c + 1);
      this.cursor = new Int32Array(c);
      this.list = new Int32Array(c);
    }
    return this.parentOf;
  }

  /** Groups the spans by parent (after begin() and filling the parents). */
  index(n: number): void {
    indexChildren(this.parentOf, n, undefined, this.start, this.cursor, this.list);
  }

  /** Span i's children, in trace order (a shared empty array when it has none). */
  of(spans: readonly Span[], i: number): readonly Span[] {
    const from = this.start[i] as number;
    const to = this.start[i + 1] as number;
    if (from === to) return NO_CHILDREN;
    // A fresh, exactly sized array: emptying a reused one (length = 0) drops its backing store anyway.
    const kids = new Array<Span>(to - from);
    for (let k = from; k < to; k++) kids[k - from] = spans[this.list[k] as number] as Span;
    return kids;
  }
}
