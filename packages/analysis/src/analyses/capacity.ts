/**
 * 9. Capacity.
 * - Concurrency per service: the requests in flight, from the overlap of the spans through
 *   which the service is entered, by a sweep line over their start/end events. Reported:
 *   peak, time-weighted mean (Σ durations / window), and the peak per time bucket.
 * - Throughput vs latency: requests per bucket (λ) and their mean latency; buckets are grouped
 *   into up to 8 load bands of equal size by λ (buckets at the window's ends and next to an empty
 *   one, the edges of a load phase, left out). The knee is the highest-load band before the
 *   first band whose mean latency exceeds 1.5 × the lowest mean latency of the bands below it.
 * - Little's law L = λ·W: at a target entry rate λ₀, service s receives λ₀ × (its requests per
 *   entry request) and needs L = λ_s × W_s concurrent requests in flight, W_s its mean latency
 *   at the observed load (a first-order estimate: latency grows past the knee).
 */
import type { Span, Trace } from '../model';
import type { AnalysisOptions } from './options';
import { throughputSeries } from './performance';
import { resolveEntryService } from './completeness';
import { isEntry, traceFacts } from './trace-facts';

export interface ServiceCapacity {
  service: string;
  requests: number;
  meanLatencyUs: number;
  peakConcurrency: number;
  meanConcurrency: number;
  /** Peak concurrency per bucket (aligned with bucketStarts). */
  concurrencySeries: number[];
  /** Requests per second at the observed load and the target. */
  observedRate: number;
  requestsPerEntryRequest: number;
  targetRate: number;
  /** Little's law at the target rate. */
  requiredConcurrency: number;
}

export interface LoadBand {
  meanRate: number;
  buckets: number;
  requests: number;
  meanLatencyUs: number;
}

export interface CapacityResult {
  entryService: string;
  bucketMs: number;
  bucketStarts: number[];
  targetRate: number;
  services: ServiceCapacity[];
  loadBands: LoadBand[];
  knee: { rate: number; meanLatencyUs: number } | null;
  /** Why no knee is claimed although latency rose, when the load bands are too thin to tell (small samples say so). */
  kneeNote?: string;
}

/** Peak and per-bucket peak concurrency of intervals by a sweep line. */
export function sweepConcurrency(starts: ArrayLike<number>, ends: ArrayLike<number>, bucketStart = 0, bucketWidth = Infinity, buckets = 0) {
  const n = starts.length;
  const s = Float64Array.from(starts).sort();
  const e = Float64Array.from(ends).sort();
  let i = 0;
  let j = 0;
  let cur = 0;
  let peak = 0;
  const series = new Array<number>(buckets).fill(0);
  while (i < n || j < n) {
    // Ends before starts at the same instant: back-to-back requests do not overlap.
    if (j < n && (i >= n || (e[j] as number) <= (s[i] as number))) {
      cur--;
      j++;
    } else {
      cur++;
      const t = s[i] as number;
      i++;
      if (cur > peak) peak = cur;
      if (buckets) {
        const b = Math.min(buckets - 1, Math.max(0, Math.floor((t - bucketStart) / bucketWidth)));
        if (cur > (series[b] as number)) series[b] = cur;
      }
    }
  }
  return { peak, series };
}

/** A band whose mean latency exceeds this × the lowest of the bands at lower load is past the knee. */
export const KNEE_LATENCY_RATIO = 1.5;
export const KNEE_MIN_BANDS = 3;
export const KNEE_MIN_BUCKETS_PER_BAND = 3;
export const KNEE_MIN_REQUESTS_PER_BAND = 30;

export function capacity(traces: readonly Trace[], opts: AnalysisOptions = {}): CapacityResult {
  const entryService = resolveEntryService(traces, opts);
  const perService = new Map<string, { starts: number[]; ends: number[] }>();
  let wStart = Infinity;
  let wEnd = -Infinity;
  for (const t of traces) {
    const f = traceFacts(t);
    t.spans.forEach((s: Span, i) => {
      if (!isEntry(t.spans, f.parent, i)) return;
      let a = perService.get(s.service);
      if (!a) perService.set(s.service, (a = { starts: [], ends: [] }));
      a.starts.push(s.start);
      a.ends.push(s.start + s.duration);
      if (s.start < wStart) wStart = s.start;
      if (s.start + s.duration > wEnd) wEnd = s.start + s.duration;
    });
  }
  const entry = perService.get(entryService) ?? { starts: [], ends: [] };
  const series = throughputSeries(entry.starts, opts);
  const width = series.bucketMs * 1000;
  const origin = series.starts[0] ?? 0;
  const nb = series.counts.length;
  const perSecond = 1e6 / width;
  const targetRate = opts.targetRate ?? Math.max(1, 2 * series.peakRate);
  const windowUs = Math.max(1, wEnd - wStart);
  const entryRequests = entry.starts.length || 1;

  const services: ServiceCapacity[] = [...perService].map(([service, a]) => {
    let sum = 0;
    for (let i = 0; i < a.starts.length; i++) sum += (a.ends[i] as number) - (a.starts[i] as number);
    const w = a.starts.length ? sum / a.starts.length : 0;
    const { peak, series: conc } = sweepConcurrency(a.starts, a.ends, origin, width, nb);
    const ratio = a.starts.length / entryRequests;
    const lambda = targetRate * ratio;
    return {
      service,
      requests: a.starts.length,
      meanLatencyUs: w,
      peakConcurrency: peak,
      meanConcurrency: sum / windowUs,
      concurrencySeries: conc,
      observedRate: a.starts.length / (windowUs / 1e6),
      requestsPerEntryRequest: ratio,
      targetRate: lambda,
      requiredConcurrency: lambda * (w / 1e6),
    };
  });
  services.sort((x, y) => y.requiredConcurrency - x.requiredConcurrency);

  // Per bucket: arrivals and summed latency of the entry requests that started in it.
  const latSum = new Float64Array(nb);
  for (let i = 0; i < entry.starts.length; i++) {
    const b = Math.floor(((entry.starts[i] as number) - origin) / width);
    if (b >= 0 && b < nb) latSum[b] = (latSum[b] as number) + ((entry.ends[i] as number) - (entry.starts[i] as number));
  }
  // Only buckets whose rate is known: not the window's first and last (it cuts them), nor one next
  // to an empty bucket, the edge of a load phase (a lab's load steps, separated by the seconds
  // between two commands): the load ran for part of it, so its rate reads low, and a few such
  // buckets made the lowest band too thin to claim a knee. Unless too few buckets are left.
  const counted = (b: number): boolean => b >= 0 && b < nb && (series.counts[b] as number) > 0;
  const known = Array.from({ length: nb }, (_, b) => b).filter((b) => counted(b) && (nb < 4 || (b > 0 && b < nb - 1)));
  const steady = known.filter((b) => counted(b - 1) && counted(b + 1));
  const inner = steady.length >= 4 ? steady : known;
  inner.sort((x, y) => (series.counts[x] as number) - (series.counts[y] as number));
  const bands: LoadBand[] = [];
  const nBands = Math.min(8, inner.length);
  for (let k = 0; k < nBands; k++) {
    const part = inner.slice(Math.floor((k * inner.length) / nBands), Math.floor(((k + 1) * inner.length) / nBands));
    if (!part.length) continue;
    let req = 0;
    let lat = 0;
    for (const b of part) {
      req += series.counts[b] as number;
      lat += latSum[b] as number;
    }
    bands.push({ meanRate: (req / part.length) * perSecond, buckets: part.length, requests: req, meanLatencyUs: req ? lat / req : 0 });
  }
  let knee: CapacityResult['knee'] = null;
  let kneeNote: string | undefined;
  // Each band against the lowest latency seen at lower load, not against the lowest-load band
  // alone: that band often holds a system's first seconds, slower while its code is still being
  // compiled, and against it a saturated band can stay under the ratio (a lab run showed it).
  let firstBad = -1;
  let best = Infinity;
  for (let i = 0; i < bands.length && firstBad < 0; i++) {
    const latency = (bands[i] as LoadBand).meanLatencyUs;
    if (i > 0 && best > 0 && latency > KNEE_LATENCY_RATIO * best) firstBad = i;
    best = Math.min(best, latency);
  }
  if (firstBad > 0) {
    // A knee is a claim about load: it needs enough bands, each of enough buckets and requests
    // (two one-second buckets show noise, not saturation).
    const thin = bands.filter((b) => b.buckets < KNEE_MIN_BUCKETS_PER_BAND || b.requests < KNEE_MIN_REQUESTS_PER_BAND).length;
    if (bands.length < KNEE_MIN_BANDS || thin > 0) {
      kneeNote = `too few data for a knee: ${bands.length} load bands (${KNEE_MIN_BANDS} needed), ${thin} with fewer than ${KNEE_MIN_BUCKETS_PER_BAND} buckets or ${KNEE_MIN_REQUESTS_PER_BAND} requests`;
    } else {
      const k = bands[firstBad - 1] as LoadBand;
      knee = { rate: k.meanRate, meanLatencyUs: k.meanLatencyUs };
    }
  }
  return { entryService, bucketMs: series.bucketMs, bucketStarts: series.starts, targetRate, services, loadBands: bands, knee, ...(kneeNote ? { kneeNote } : {}) };
}
