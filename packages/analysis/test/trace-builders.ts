/** Hand-built traces for the analysis tests. Times are in µs. */
import type { Attributes, Span, SpanKind, StatusCode, Trace } from '../src/model';

export interface SpanSpec {
  id: string;
  parent?: string;
  service: string;
  name?: string;
  kind?: SpanKind;
  start: number;
  duration: number;
  status?: StatusCode;
  attrs?: Attributes;
}

let traceCounter = 0;

export function spanId(id: string): string {
  return Buffer.from(id).toString('hex').padStart(16, '0').slice(-16);
}

export function makeTrace(specs: SpanSpec[], traceId?: string): Trace {
  const tid = traceId ?? (++traceCounter).toString(16).padStart(32, '0');
  const spans: Span[] = specs.map((s) => ({
    traceId: tid,
    spanId: spanId(s.id),
    parentSpanId: s.parent === undefined ? undefined : spanId(s.parent),
    references: [],
    name: s.name ?? s.id,
    service: s.service,
    kind: s.kind ?? 'internal',
    start: s.start,
    duration: s.duration,
    status: s.status ?? 'unset',
    attributes: s.attrs ?? {},
    resource: { 'service.name': s.service },
    events: [],
  }));
  spans.sort((a, b) => a.start - b.start || (a.spanId < b.spanId ? -1 : 1));
  return { traceId: tid, spans };
}

/** Idle time of the gateway between two calls. Calls never touch: Jaeger's critical path skips a child that ends exactly where the next one starts. */
export const GAP = 10;

/**
 * The pipeline's shape with chosen durations, calls in sequence and no overlap, so that the
 * critical path is every span: gateway server [g0 self] → fs client/server → inference client/server → pp client/server.
 * Returns the trace and the per-service time on the critical path, derived from the inputs.
 */
export function pipelineTrace(o: { t0: number; fs: number; inf: number; pp: number; gw?: number; attrs?: Attributes; ppStatus?: StatusCode; ppAttrs?: Attributes }) {
  const gw = o.gw ?? 100;
  const a = o.attrs ?? {};
  let t = o.t0 + gw;
  const specs: SpanSpec[] = [];
  const call = (id: string, svc: string, name: string, d: number, status?: StatusCode, extra?: Attributes) => {
    specs.push({ id: `${id}-c`, parent: 'root', service: 'gateway', name: 'POST', kind: 'client', start: t, duration: d, attrs: a, ...(status ? { status } : {}) });
    specs.push({ id: `${id}-s`, parent: `${id}-c`, service: svc, name, kind: 'server', start: t, duration: d, attrs: { ...a, ...extra }, ...(status ? { status } : {}) });
    t += d + GAP;
  };
  call('fs', 'feature-store', 'POST /v1/features', o.fs);
  call('inf', 'inference', 'POST /v1/infer', o.inf);
  call('pp', 'postprocess', 'POST /v1/postprocess', o.pp, o.ppStatus, o.ppAttrs);
  t -= GAP;
  const total = t - o.t0 + gw;
  specs.unshift({ id: 'root', service: 'gateway', name: 'POST /v1/predict', kind: 'server', start: o.t0, duration: total, attrs: a, ...(o.ppStatus === 'error' ? { status: 'error' as StatusCode } : {}) });
  return { trace: makeTrace(specs), total, cp: { gateway: 2 * gw + 2 * GAP, 'feature-store': o.fs, inference: o.inf, postprocess: o.pp } };
}

/** A gateway request the gateway refused: root 4xx, a failed `request rejected` child. */
export function rejected(t0: number, code: string, status = 400): Trace {
  return makeTrace([
    { id: 'r', service: 'gateway', name: 'POST /v1/predict', kind: 'server', start: t0, duration: 500, attrs: { 'http.response.status_code': status, 'error.type': code } },
    { id: 'x', parent: 'r', service: 'gateway', name: 'request rejected', start: t0 + 100, duration: 10, status: 'error', attrs: { 'error.type': code } },
  ]);
}

/** An `instances` request: raw feature vectors, so the gateway never calls the feature store. */
export function instancesTrace(t0: number): Trace {
  const t = pipelineTrace({ t0, fs: 100, inf: 200, pp: 100 }).trace;
  return { ...t, spans: t.spans.filter((s) => s.service !== 'feature-store' && !(s.kind === 'client' && s.spanId === t.spans.find((x) => x.service === 'feature-store')?.parentSpanId)) };
}
