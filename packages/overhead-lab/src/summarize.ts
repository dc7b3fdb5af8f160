import type { Configuration, ConfigSummary, RunMeasurement } from './types';

export function median(values: number[]): number {
  return quantile(values, 0.5);
}

/** The q-quantile (0 ≤ q ≤ 1), interpolated between the two nearest values; NaN for no values. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const at = q * (s.length - 1);
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return s[lo]! + (s[hi]! - s[lo]!) * (at - lo);
}

const sum = (o: Record<string, number>): number => Object.values(o).reduce((a, b) => a + b, 0);

function medianByKey(records: Array<Record<string, number>>): Record<string, number> {
  const keys = new Set(records.flatMap((r) => Object.keys(r)));
  return Object.fromEntries([...keys].sort().map((k) => [k, median(records.map((r) => r[k] ?? 0))]));
}

/**
 * Each configuration's medians over rounds; every ratio is taken against the untraced run of the
 * same round first (so drift between rounds cancels), then the median over rounds is reported.
 * Throughput goes one step further: each closed-loop slice against the untraced slice run next
 * to it, median and interquartile range over all of them.
 */
export function summarize(configs: Configuration[], runs: RunMeasurement[], baselineId = 'off'): ConfigSummary[] {
  const baseline = new Map(runs.filter((r) => r.config === baselineId).map((r) => [r.round, r]));
  return configs.map((c) => {
    const mine = runs.filter((r) => r.config === c.id);
    const paired = mine.filter((r) => baseline.has(r.round));
    // Slice i against the baseline's slice i of the same round: the two ran seconds apart.
    const sliceRatios = (pick: (r: RunMeasurement) => number[]) =>
      paired.flatMap((r) => {
        const base = pick(baseline.get(r.round)!);
        return pick(r).flatMap((v, i) => {
          const b = base[i];
          return b && Number.isFinite(v / b) ? [v / b] : [];
        });
      });
    const ratios = sliceRatios((r) => r.sliceThroughputs);
    const cpuRatios = sliceRatios((r) => r.sliceCpuMsPerRequest);
    const added = (pick: (r: RunMeasurement) => number) => median(paired.map((r) => pick(r) / pick(baseline.get(r.round)!) - 1));
    const cpu = (r: RunMeasurement) => sum(r.cpuMsPerRequest);
    const perRequest = (r: RunMeasurement, counts: Record<string, number>) =>
      Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, r.requests ? v / r.requests : 0]));
    return {
      config: c.id,
      label: c.label,
      rounds: mine.length,
      maxThroughput: median(mine.map((r) => r.maxThroughput)),
      throughputRatio: median(ratios),
      throughputRatioRange: [quantile(ratios, 0.25), quantile(ratios, 0.75)],
      p50Ms: median(mine.map((r) => r.latencyMs.p50)),
      p99Ms: median(mine.map((r) => r.latencyMs.p99)),
      p50Added: added((r) => r.latencyMs.p50),
      p99Added: added((r) => r.latencyMs.p99),
      cpuMsPerRequest: median(mine.map(cpu)),
      cpuRatio: added(cpu) + 1,
      saturatedCpuRatio: median(cpuRatios),
      saturatedCpuRatioRange: [quantile(cpuRatios, 0.25), quantile(cpuRatios, 0.75)],
      cpuMsPerRequestByService: medianByKey(mine.map((r) => r.cpuMsPerRequest)),
      spansPerRequest: median(mine.map((r) => r.spansPerRequest)),
      bytesPerRequest: median(mine.map((r) => r.bytesPerRequest)),
      spansPerRequestByScope: medianByKey(mine.map((r) => perRequest(r, r.exported.byScope))),
      spansPerRequestByService: medianByKey(mine.map((r) => perRequest(r, r.exported.byService))),
      errors: mine.reduce((a, r) => a + r.errors, 0),
    };
  });
}
