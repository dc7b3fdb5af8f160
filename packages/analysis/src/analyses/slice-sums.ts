/**
 * The per-slice sums of slices.ts (critical-path time per service, self time per operation,
 * failure and rejection types, end-to-end time, window). Every trace is added to one slice per
 * slice key, so the trace is summarized once and its summary added seven times: operations and
 * services are numbered, and the sums are arrays indexed by number instead of string-keyed Maps
 * (which cost a hash lookup per operation, per key, per trace).
 */
import type { Span, Trace } from '../model';
import { errorType } from './errors';
import { failsTrace, opKey, type TraceFacts } from './trace-facts';

/** Names numbered in first-seen order. */
class Numbering {
  private readonly ids = new Map<string, number>();
  readonly names: string[] = [];

  id(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(name, id);
      this.names.push(name);
    }
    return id;
  }
}

/** Operations numbered in first-seen order, by service then name (two lookups, no key string per span). */
class OperationNumbering {
  private readonly ids = new Map<string, Map<string, number>>();
  /** "service\u0000operation" keys (opKey) by id. */
  readonly names: string[] = [];

  id(service: string, name: string): number {
    let byName = this.ids.get(service);
    if (!byName) this.ids.set(service, (byName = new Map()));
    let id = byName.get(name);
    if (id === undefined) {
      id = this.names.length;
      byName.set(name, id);
      this.names.push(opKey(service, name));
    }
    return id;
  }
}

/** Sums per numbered name, iterated in the order the names were first added. */
class NumberedSums {
  private readonly order: number[] = [];
  /** Indexed by id; undefined until the id is first added. */
  private readonly values: (number | undefined)[] = [];

  add(id: number, x: number): void {
    const v = this.values[id];
    if (v === undefined) {
      this.order.push(id);
      this.values[id] = x;
    } else this.values[id] = v + x;
  }

  entries(names: readonly string[]): Array<[string, number]> {
    return this.order.map((id) => [names[id] as string, this.values[id] as number]);
  }
}

export interface SliceTotals {
  /** Critical-path time per service, self time per operation key ("service\u0000operation"). */
  cp: Array<[string, number]>;
  self: Array<[string, number]>;
  errTypes: Map<string, number>;
  rejTypes: Map<string, number>;
  e2e: number;
  selfTotal: number;
  rejected: number;
  first: number;
  last: number;
}

/** What a slice accumulates: SliceTotals with the two per-name sums still numbered. */
type SliceSums = Omit<SliceTotals, 'cp' | 'self'> & { cp: NumberedSums; self: NumberedSums };

export class SliceAccumulator {
  private readonly ops = new OperationNumbering();
  private readonly services = new Numbering();
  private readonly slices: SliceSums[] = [];
  // The current trace's summary: self time per operation (ids in first-seen order), its
  // critical-path time per service, failure types and rejection type.
  private traceNo = 0;
  private readonly seenIn: number[] = [];
  private readonly posOf: number[] = [];
  private readonly opIds: number[] = [];
  private readonly opSelf: number[] = [];
  private opCount = 0;
  private readonly cpIds: number[] = [];
  private readonly cpTimes: number[] = [];
  private selfTotal = 0;
  /** Failure types of the current trace; undefined when it has none (most traces). */
  private failTypes: Map<string, number> | undefined;
  private rejection: string | undefined;

  /** A new, empty slice; returns its number for add(). */
  newSlice(): number {
    this.slices.push({ cp: new NumberedSums(), self: new NumberedSums(), errTypes: new Map(), rejTypes: new Map(), e2e: 0, selfTotal: 0, rejected: 0, first: Infinity, last: -Infinity });
    return this.slices.length - 1;
  }

  /** Summarizes a trace for the add() calls that follow (until the next summarize). */
  summarize(t: Trace, f: TraceFacts): void {
    const stamp = ++this.traceNo;
    this.opCount = 0;
    this.selfTotal = 0;
    this.failTypes = undefined;
    for (let i = 0; i < t.spans.length; i++) {
      const s = t.spans[i] as Span;
      const id = this.ops.id(s.service, s.name);
      const x = f.selfTime[i] as number;
      if (this.seenIn[id] !== stamp) {
        this.seenIn[id] = stamp;
        this.posOf[id] = this.opCount;
        this.opIds[this.opCount] = id;
        this.opSelf[this.opCount++] = x;
      } else {
        const p = this.posOf[id] as number;
        this.opSelf[p] = (this.opSelf[p] as number) + x;
      }
      this.selfTotal += x;
      if (failsTrace(f, s)) {
        this.failTypes ??= new Map();
        this.failTypes.set(errorType(s), (this.failTypes.get(errorType(s)) ?? 0) + 1);
      }
    }
    this.cpIds.length = 0;
    this.cpTimes.length = 0;
    f.cpByService.forEach((x, svc) => {
      this.cpIds.push(this.services.id(svc));
      this.cpTimes.push(x);
    });
    const root = f.roots[0] === undefined ? undefined : t.spans[f.roots[0]];
    this.rejection = f.rejected && root ? errorType(root) : undefined;
  }

  /** Adds the summarized trace to a slice. */
  add(slice: number, f: TraceFacts): void {
    const a = this.slices[slice] as SliceSums;
    a.e2e += f.e2e;
    a.first = Math.min(a.first, f.start);
    a.last = Math.max(a.last, f.start);
    for (let j = 0; j < this.cpIds.length; j++) a.cp.add(this.cpIds[j] as number, this.cpTimes[j] as number);
    if (f.rejected) a.rejected++;
    if (this.rejection !== undefined) a.rejTypes.set(this.rejection, (a.rejTypes.get(this.rejection) ?? 0) + 1);
    for (let p = 0; p < this.opCount; p++) a.self.add(this.opIds[p] as number, this.opSelf[p] as number);
    this.failTypes?.forEach((x, k) => a.errTypes.set(k, (a.errTypes.get(k) ?? 0) + x));
    a.selfTotal += this.selfTotal;
  }

  totals(slice: number): SliceTotals {
    const a = this.slices[slice] as SliceSums;
    return { ...a, cp: a.cp.entries(this.services.names), self: a.self.entries(this.ops.names) };
  }
}
