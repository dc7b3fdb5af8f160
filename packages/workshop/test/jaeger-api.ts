/**
 * Jaeger's query API as its UI reads it (api/services, api/traces: the v1 JSON, times in µs), for
 * checking what a lab page says a learner sees in Jaeger's search and trace view.
 */

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: Array<{ refType: string; traceID: string; spanID: string }>;
  startTime: number;
  duration: number;
  tags: Array<{ key: string; value: unknown }>;
  processID: string;
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

export interface SearchQuery {
  service: string;
  operation?: string;
  /** The UI's Tags box: key=value pairs, all of which a matching trace has on one span. */
  tags?: Record<string, string>;
  /** µs since the epoch: the search window starts here (the lab's start). */
  since: number;
}

export interface JaegerApi {
  url: string;
  services(): Promise<string[]>;
  /** The UI's search: the traces with a span of that service (and operation, and tags) in the window. */
  search(q: SearchQuery): Promise<JaegerTrace[]>;
  /** The UI's search box with a trace id. */
  trace(id: string): Promise<JaegerTrace | undefined>;
}

async function get<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { data: T }).data;
}

export function jaegerApi(url: string): JaegerApi {
  return {
    url,
    services: () => get<string[]>(`${url}/api/services`),
    search: (q) => {
      const params = new URLSearchParams({ service: q.service, start: String(q.since), end: String(Date.now() * 1000), limit: '1000' });
      if (q.operation) params.set('operation', q.operation);
      if (q.tags) params.set('tags', JSON.stringify(q.tags));
      return get<JaegerTrace[]>(`${url}/api/traces?${params}`);
    },
    trace: async (id) => {
      const res = await fetch(`${url}/api/traces/${id}`, { signal: AbortSignal.timeout(30_000) });
      if (res.status === 404) return undefined;
      if (!res.ok) throw new Error(`GET ${url}/api/traces/${id}: HTTP ${res.status}`);
      return ((await res.json()) as { data: JaegerTrace[] }).data[0];
    },
  };
}

export const serviceOf = (t: JaegerTrace, s: JaegerSpan): string => t.processes[s.processID]?.serviceName ?? '?';
export const tagOf = (s: JaegerSpan, key: string): string | undefined => {
  const tag = s.tags.find((x) => x.key === key);
  return tag === undefined ? undefined : String(tag.value);
};
/** The span's parent span id, as Jaeger keeps it (a CHILD_OF reference), also when the parent is not in the trace. */
export const parentOf = (s: JaegerSpan): string | undefined => s.references.find((r) => r.refType === 'CHILD_OF')?.spanID;
/** The spans whose parent is not in the trace: what the UI draws at the top. */
export const rootsOf = (t: JaegerTrace): JaegerSpan[] => t.spans.filter((s) => !t.spans.some((p) => p.spanID === parentOf(s)));
export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : (s[Math.floor((s.length - 1) / 2)] as number);
};
