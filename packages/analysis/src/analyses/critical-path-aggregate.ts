/**
 * 5b. The critical path aggregated across traces, and 6b. each service's contribution.
 *
 * For every trace, each critical-path section is attributed to its span's operation and
 * service. share(op, trace) = critical-path time of op / end-to-end time of the trace. We
 * report p50/p95 of that share over the traces whose critical path contains op, the share of
 * all end-to-end time (Σ cp time / Σ end-to-end), and how often op is on the path at all.
 *
 * byCallee attributes a client span's critical-path time (the part not covered by the callee's
 * server span: network, connection and queueing) to the service it calls, answering "how much of
 * the latency is spent in or waiting on X".
 *
 * Saving potential if op were X % faster (a first-order estimate): in each trace op's
 * critical-path time shrinks by X %, and the new end-to-end time is taken as the old one minus
 * that saving. This assumes the path stays critical; a parallel branch that was almost as long
 * can become critical and absorb part of the gain, so the figure is an upper bound.
 */
import type { Trace } from '../model';
import { resolvedTopN, type AnalysisOptions } from './options';
import { mean, quantileSorted, Samples } from './stats';
import { splitOpKey, traceFacts, type Tally } from './trace-facts';

export interface CriticalPathEntry {
  /** Traces whose critical path includes it. */
  traces: number;
  presence: number;
  /** Σ critical-path time / Σ end-to-end time over all traces. */
  shareOfTotal: number;
  /** Share of end-to-end time in the traces that contain it. */
  shareP50: number;
  shareP95: number;
  /** Mean critical-path time per trace containing it (µs). */
  meanTime: number;
  /** The traces where it spent the most time on the critical path, longest first (at most EXAMPLES). */
  exampleTraceIds: string[];
  saving: {
    /** Mean end-to-end saving over all traces (µs; 0 for traces without it). */
    meanUs: number;
    /** Median saving over the traces that contain it (µs). */
    p50Us: number;
    /** Mean saving / mean end-to-end time. */
    meanShare: number;
  };
}

export interface CriticalPathAggregate {
  speedupPercent: number;
  savingDefinition: string;
  traces: number;
  totalEndToEnd: number;
  byService: Array<{ service: string } & CriticalPathEntry>;
  /** Like byService, but a client span's time counts for the service it calls (time spent in or waiting on that service). */
  byCallee: Array<{ service: string } & CriticalPathEntry>;
  byOperation: Array<{ service: string; operation: string } & CriticalPathEntry>;
}

const EXAMPLES = 3;

/** The ids of the EXAMPLES traces with the largest times, longest first. */
class TopTraces {
  private readonly items: Array<{ time: number; traceId: string }> = [];

  offer(time: number, traceId: string): void {
    if (this.items.length === EXAMPLES && time <= (this.items[EXAMPLES - 1] as { time: number }).time) return;
    this.items.push({ time, traceId });
    this.items.sort((a, b) => b.time - a.time);
    if (this.items.length > EXAMPLES) this.items.pop();
  }

  ids(): string[] {
    return this.items.map((x) => x.traceId);
  }
}

interface Accumulator {
  times: Samples;
  shares: Samples;
  top: TopTraces;
}

function aggregate(traces: readonly Trace[], pick: (t: Trace) => Tally, speedup: number) {
  const acc = new Map<string, Accumulator>();
  let totalE2e = 0;
  for (const t of traces) {
    const f = traceFacts(t);
    totalE2e += f.e2e;
    const { keys, values } = pick(t);
    for (let j = 0; j < keys.length; j++) {
      const k = keys[j] as string;
      let a = acc.get(k);
      if (!a) acc.set(k, (a = { times: new Samples(), shares: new Samples(), top: new TopTraces() }));
      const time = values[j] as number;
      a.times.push(time);
      a.top.offer(time, t.traceId);
      a.shares.push(f.e2e > 0 ? time / f.e2e : 0);
    }
  }
  const n = traces.length;
  const meanE2e = n ? totalE2e / n : 0;
  const out: Array<[string, CriticalPathEntry]> = [];
  for (const [k, a] of acc) {
    const [shareP50, shareP95] = a.shares.quantiles([0.5, 0.95]) as [number, number];
    const sum = a.times.sum();
    // The mean was taken over the sorted times; with integer times (µs, as loaded) the order of
    // the sum does not matter and no sort is needed.
    let meanTime: number;
    let timeP50: number;
    if (a.times.exactSum()) {
      meanTime = a.times.length ? sum / a.times.length : NaN;
      [timeP50] = a.times.quantiles([0.5]) as [number];
    } else {
      const times = a.times.sorted();
      meanTime = mean(times);
      timeP50 = quantileSorted(times, 0.5);
    }
    const meanSaving = n ? (sum * speedup) / n : 0;
    out.push([
      k,
      {
        traces: a.times.length,
        presence: n ? a.times.length / n : 0,
        shareOfTotal: totalE2e > 0 ? sum / totalE2e : 0,
        shareP50,
        shareP95,
        meanTime,
        exampleTraceIds: a.top.ids(),
        saving: { meanUs: meanSaving, p50Us: speedup * timeP50, meanShare: meanE2e > 0 ? meanSaving / meanE2e : 0 },
      },
    ]);
  }
  out.sort((x, y) => y[1].shareOfTotal - x[1].shareOfTotal);
  return { out, totalE2e };
}

export function criticalPathAggregate(traces: readonly Trace[], opts: AnalysisOptions = {}): CriticalPathAggregate {
  const speedupPercent = opts.speedupPercent ?? 50;
  const x = speedupPercent / 100;
  const services = aggregate(traces, (t) => traceFacts(t).cpByService, x);
  const ops = aggregate(traces, (t) => traceFacts(t).cpByOp, x);
  const callees = aggregate(traces, (t) => traceFacts(t).cpByCallee, x);
  return {
    speedupPercent,
    savingDefinition: `first-order estimate: per trace, the item's critical-path time shrinks by ${speedupPercent}% and end-to-end = trace duration − that saving (assumes the path stays critical, so it is an upper bound)`,
    traces: traces.length,
    totalEndToEnd: services.totalE2e,
    byService: services.out.map(([service, e]) => ({ service, ...e })),
    byCallee: callees.out.map(([service, e]) => ({ service, ...e })),
    byOperation: ops.out.slice(0, Math.max(resolvedTopN(opts), 1)).map(([k, e]) => ({ ...splitOpKey(k), ...e })),
  };
}
