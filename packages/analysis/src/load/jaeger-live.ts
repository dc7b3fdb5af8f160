import type { LoadResult } from '../model';
import { TraceCollector, type CollectorOptions } from './collector';
import { Ingest } from './detect';
import { LoadError } from './errors';
import { readDocuments } from './file';
import { ingestLine, isBlank, LineSplitter } from './lines';

export interface JaegerLiveOptions extends CollectorOptions {
  fetchImpl?: typeof fetch;
  /** Traces asked for per request; a slice that returns this many is split in four and fetched again. Default 500. */
  pageSize?: number;
  /** Longest time slice per request, µs. Default 15 minutes. */
  sliceMicros?: number;
  /** Per-request timeout, ms. Default 30 000. */
  timeoutMs?: number;
  /** false: every answer through the document splitter and JSON.parse (the reference for the fast path). */
  fastPath?: boolean;
  /** A search answer up to this size is read whole and taken line by line; a larger one is streamed. Default 64 MiB. */
  maxBufferedAnswer?: number;
}

const DEFAULT_WINDOW_US = 3_600_000_000; // the last hour when no --since is given
const DEFAULT_SLICE_US = 15 * 60_000_000;
/**
 * The shortest slice asked for. A busy pipeline starts more than a page of traces per second (≈ 600/s
 * per service on 2 cores), so slices go well below a second; a full slice this short is kept as it
 * came, with a warning.
 */
const MIN_SLICE_US = 1_000;
/** A full slice is fetched again in this many parts: fewer full pages on the way down than halving. */
const FULL_PAGE_SPLIT = 4;

/** [from, to) in µs. */
type Slice = [number, number];

/** `parts` equal slices of `slice`, newest first (none shorter than MIN_SLICE_US). */
export function evenSlices([from, to]: Slice, parts: number): Slice[] {
  const n = Math.max(1, Math.min(parts, Math.floor((to - from) / MIN_SLICE_US)));
  const out: Slice[] = [];
  for (let i = n; i > 0; i--) out.push([Math.floor(from + ((to - from) * (i - 1)) / n), i === n ? to : Math.floor(from + ((to - from) * i) / n)]);
  return out;
}

/**
 * `slice` cut so that each part holds about `perSlice` of the already seen trace starts
 * (`sortedStarts`), newest first; the whole slice when it holds fewer. Parts stay contiguous and
 * cover the slice exactly; a part that still comes back full is split again by the caller.
 */
export function plannedSlices([from, to]: Slice, sortedStarts: readonly number[], perSlice: number): Slice[] {
  const first = lowerBound(sortedStarts, from);
  const count = lowerBound(sortedStarts, to) - first;
  if (count <= perSlice || perSlice < 1) return [[from, to]];
  const cuts: number[] = [];
  for (let k = Math.floor(perSlice); k < count; k += Math.floor(perSlice)) {
    const at = sortedStarts[first + k] as number;
    if (at - (cuts.at(-1) ?? from) >= MIN_SLICE_US && to - at >= MIN_SLICE_US) cuts.push(at);
  }
  const bounds = [from, ...cuts, to];
  const out: Slice[] = [];
  for (let i = bounds.length - 1; i > 0; i--) out.push([bounds[i - 1] as number, bounds[i] as number]);
  return out;
}

/** The first index whose value is ≥ `x` in an ascending array. */
function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

type Api = 'v3' | 'v1';

/**
 * Fetch traces from a Jaeger query service (e.g. http://localhost:16686): API v3 first
 * (`/api/v3/traces`, OTLP/JSON in `{result: …}` chunks, 404 = no traces), falling back to the v1 JSON
 * API (`/api/traces`, µs times) when `/api/v3` is not served. Both search one service at a time and
 * neither pages by offset, so the window [since, until) is fetched per service in time slices, and
 * a slice that comes back full is split in four and fetched again. A trace seen in several slices
 * or services is kept once.
 *
 * A full page is fetched for nothing, and a request's trace is found again under each service it
 * crossed: with 2 700 pipeline traces in a minute, halving from one slice fetched each trace ≈ 9
 * times. So the slices of every service after the first are planned from the traces already seen
 * (they mostly hold the same traces): cut where the seen traces' starts put half a page in each.
 */
export async function loadJaeger(baseUrl: string, opts: JaegerLiveOptions = {}): Promise<LoadResult> {
  const collector = new TraceCollector(opts);
  await fetchJaegerInto(baseUrl, collector, opts);
  return collector.finish();
}

export async function fetchJaegerInto(baseUrl: string, collector: TraceCollector, opts: JaegerLiveOptions): Promise<void> {
  const client = new JaegerClient(baseUrl.replace(/\/+$/, ''), opts);
  const until = opts.until ?? Date.now() * 1000;
  const since = opts.since ?? until - DEFAULT_WINDOW_US;
  if (!(since < until)) throw new LoadError(`${baseUrl}: empty time window (since must be before until)`, baseUrl);

  const api = await client.detectApi();
  const services = opts.service !== undefined ? [opts.service] : await client.services(api);
  const seen = new Set<string>();
  /** The earliest span start of each trace seen so far (µs), sorted before each service's planning. */
  const starts: number[] = [];
  const slice = opts.sliceMicros ?? DEFAULT_SLICE_US;
  for (const service of services) {
    starts.sort((a, b) => a - b);
    // Newest slices first, so a `limit` keeps the most recent traces.
    const pending: Slice[] = [];
    for (let end = until; end > since; end -= slice) pending.push(...plannedSlices([Math.max(since, end - slice), end], starts, client.pageSize / 2));
    while (pending.length > 0) {
      const [from, to] = pending.shift()!;
      const page = await client.findTraces(api, service, from, to);
      if (page.traces.length >= client.pageSize) {
        const parts = evenSlices([from, to], FULL_PAGE_SPLIT);
        // One part is the slice itself: fetching it again would loop for ever.
        if (parts.length > 1) {
          pending.unshift(...parts);
          continue;
        }
        collector.warn(`${service}: ${page.traces.length} traces (a full page) started within ${to - from} µs from ${rfc3339(from)}; Jaeger answers at most a page per search, so more traces of that slice may be missing`);
      }
      for (const reason of page.skipped.reasons) collector.skip(reason);
      for (const w of page.warnings ?? []) collector.warn(w);
      for (const trace of page.traces) {
        if (seen.has(trace.traceId)) continue;
        seen.add(trace.traceId);
        // A trace's spans come sorted by start: the first is its earliest.
        if (trace.spans[0]) starts.push(trace.spans[0].start);
        // Jaeger matched it by time already (on any of its spans); do not filter it again by its start.
        collector.timeFiltered.add(trace.traceId);
        collector.addTraceWarnings(trace.traceId, trace.warnings ?? []);
        for (const span of trace.spans) collector.add(span);
      }
      if (opts.limit !== undefined && seen.size >= opts.limit) return;
    }
  }
}

class JaegerClient {
  readonly pageSize: number;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;

  constructor(private readonly baseUrl: string, private readonly opts: JaegerLiveOptions) {
    this.fetchImpl = opts.fetchImpl ?? fetch;
    this.pageSize = opts.pageSize ?? 500;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  private async get(path: string): Promise<Response> {
    const url = `${this.baseUrl}${path}`;
    try {
      return await this.fetchImpl(url, { signal: AbortSignal.timeout(this.timeoutMs), headers: { accept: 'application/json' } });
    } catch (err) {
      throw new LoadError(`${url}: Jaeger query service unreachable (${(err as Error).message})`, url);
    }
  }

  /** v3 when `/api/v3/services` answers, v1 when only `/api/services` does. */
  async detectApi(): Promise<Api> {
    const v3 = await this.get('/api/v3/services');
    await v3.body?.cancel();
    if (v3.ok) return 'v3';
    const v1 = await this.get('/api/services');
    await v1.body?.cancel();
    if (v1.ok) return 'v1';
    throw new LoadError(
      `${this.baseUrl}: not a Jaeger query service (/api/v3/services answered ${v3.status}, /api/services answered ${v1.status})`,
      this.baseUrl,
    );
  }

  async services(api: Api): Promise<string[]> {
    const path = api === 'v3' ? '/api/v3/services' : '/api/services';
    const res = await this.get(path);
    if (!res.ok) throw new LoadError(`${this.baseUrl}${path}: HTTP ${res.status}`, this.baseUrl);
    const body = (await res.json()) as { services?: unknown; data?: unknown };
    const list = api === 'v3' ? body.services : body.data;
    return Array.isArray(list) ? list.map(String).sort() : [];
  }

  async findTraces(api: Api, service: string, from: number, to: number): Promise<LoadResult> {
    const q = new URLSearchParams();
    let path: string;
    if (api === 'v3') {
      const min = rfc3339(from);
      const max = rfc3339(to);
      const depth = String(this.pageSize);
      // Current Jaeger reads the camelCase names; releases before them read only the snake_case ones
      // (and num_traces), which newer ones still accept. Sending both works with either.
      q.set('query.serviceName', service);
      q.set('query.startTimeMin', min);
      q.set('query.startTimeMax', max);
      q.set('query.searchDepth', depth);
      q.set('query.service_name', service);
      q.set('query.start_time_min', min);
      q.set('query.start_time_max', max);
      q.set('query.search_depth', depth);
      q.set('query.num_traces', depth);
      path = `/api/v3/traces?${q}`;
    } else {
      q.set('service', service);
      q.set('start', String(Math.floor(from)));
      q.set('end', String(Math.ceil(to)));
      q.set('limit', String(this.pageSize));
      path = `/api/traces?${q}`;
    }
    const res = await this.get(path);
    const collector = new TraceCollector({});
    // v3 answers 404 when nothing matches.
    if (res.status === 404) {
      await res.body?.cancel();
      return collector.finish();
    }
    if (!res.ok) {
      const text = (await res.text()).slice(0, 300);
      throw new LoadError(`${this.baseUrl}${path}: HTTP ${res.status} ${text}`, this.baseUrl);
    }
    const label = `${this.baseUrl}${path.split('?')[0]} (service ${service})`;
    const fatal = await readSearchAnswer(label, bodyBytes(res), new Ingest(collector, { fastPath: this.opts.fastPath }), this.opts.maxBufferedAnswer ?? DEFAULT_MAX_BUFFERED);
    if (fatal !== undefined) collector.skip(fatal);
    return collector.finish();
  }
}

const DEFAULT_MAX_BUFFERED = 64 * 1024 * 1024;
const RESULT_PREFIX = Buffer.from('{"result":{');

/**
 * One search answer into `ingest`. Jaeger's API v3 answers with one `{"result":{"resourceSpans":…}}`
 * per line (usually one line for the whole page), and an OTLP request inside it is what the file
 * loader's scanner converts straight from bytes (fast/otlp-scan.ts). An answer read whole within
 * `maxBuffered` whose every line has that form goes line by line: the inner request to the scanner,
 * a line it declines through JSON.parse like any JSON line. Anything else, or a larger answer, goes
 * through the document splitter as a file would (measured: splitting and parsing a 40 000-span
 * answer byte by byte was half of `mltrace analyze`'s time on it).
 * `test/load-jaeger-answer.test.ts` compares both paths.
 */
async function readSearchAnswer(label: string, body: AsyncIterator<Buffer>, ingest: Ingest, maxBuffered: number): Promise<string | undefined> {
  const scanner = ingest.otlpLines;
  if (scanner === undefined) return readDocuments(label, Buffer.alloc(0), body, ingest);
  const chunks: Buffer[] = [];
  let size = 0;
  for (let next = await body.next(); !next.done; next = await body.next()) {
    chunks.push(next.value);
    size += next.value.length;
    if (size > maxBuffered) return readDocuments(label, Buffer.concat(chunks), body, ingest);
  }
  const answer = Buffer.concat(chunks);
  const lines = resultLines(answer);
  if (lines === undefined) return readDocuments(label, answer, undefined, ingest);
  lines.forEach((line, i) => {
    // The OTLP request between `{"result":` and the line's last `}`.
    const spans = scanner.scan(line.subarray(RESULT_PREFIX.length - 1, line.length - 1));
    if (spans !== undefined) for (let k = 0; k < spans.length; k++) ingest.collector.add(spans[k]!);
    else ingestLine(ingest, line, `${label}: line ${i + 1}`);
  });
  return undefined;
}

/**
 * The non-blank lines of `answer` (without a trailing CR) when every one is `{"result":{…}}`;
 * otherwise undefined. The whole answer is fed at once, so the splitter's views stay views of it.
 */
function resultLines(answer: Buffer): Buffer[] | undefined {
  const lines: Buffer[] = [];
  let all = true;
  const splitter = new LineSplitter((raw) => {
    if (isBlank(raw)) return;
    const line = raw[raw.length - 1] === 0x0d ? raw.subarray(0, raw.length - 1) : raw;
    if (line.length > RESULT_PREFIX.length + 1 && line.subarray(0, RESULT_PREFIX.length).equals(RESULT_PREFIX) && line[line.length - 1] === 0x7d) lines.push(line);
    else {
      all = false;
      splitter.stopped = true;
    }
  });
  splitter.feed(answer);
  splitter.end();
  return all && lines.length > 0 ? lines : undefined;
}

function rfc3339(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const sub = Math.floor(micros - ms * 1000);
  // Keep microsecond precision so adjacent slices neither overlap nor leave a gap.
  return new Date(ms).toISOString().replace('Z', `${String(sub).padStart(3, '0')}Z`);
}

async function* bodyChunks(res: Response): AsyncGenerator<Buffer> {
  if (!res.body) return;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    // A copy: the splitter keeps parts of a chunk until the element they belong to ends in a later one.
    yield Buffer.from(chunk);
  }
}

function bodyBytes(res: Response): AsyncIterator<Buffer> {
  return bodyChunks(res)[Symbol.asyncIterator]();
}
