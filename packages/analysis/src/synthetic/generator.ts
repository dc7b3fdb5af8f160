/**
 * A seeded generator of traces shaped like the mltrace pipeline, for benchmarks and tests:
 *
 *   gateway POST /v1/predict (server)
 *   ├─ POST /v1/features (client) → feature-store POST /v1/features → feature_extraction → BATCH HMGET (redis, one pipelined span)
 *   ├─ POST /v1/features (client) → feature-store POST /v1/features (segment-profile enrichment, concurrent with the first)
 *   ├─ POST /v1/infer (client) → inference POST /v1/infer → [model_load] → model_predict
 *   └─ POST /v1/postprocess (client) → postprocess POST /v1/postprocess → postprocess
 *
 * as the services emit them: one SERVER span per hop from @fastify/otel named `<METHOD> <route>`,
 * one `BATCH HMGET` client span per feature lookup (db.operation.batch.size = entities; the
 * n-plus-one fault makes one ioredis `hmget` span per entity instead), 4xx-free traffic.
 *
 * Every span carries the request's ML context (as the baggage span processor does). Planted
 * faults mirror the MLTRACE_SCENARIO switches so the recommendation rules can be exercised
 * without running the services.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import {
  ATTR_BUSINESS_CUSTOMER_SEGMENT,
  ATTR_BUSINESS_PRIORITY,
  ATTR_BUSINESS_REGION,
  ATTR_ML_DATA_BATCH_ID,
  ATTR_ML_EXPERIMENT_ID,
  ATTR_ML_FEATURE_STORE_VERSION,
  ATTR_ML_MODEL_VERSION,
  ATTR_ML_OPERATION_TYPE,
  ATTR_ML_PREDICTION_CONFIDENCE_MEAN,
  ATTR_ML_DATA_INPUT_SIZE,
  ATTR_ML_DATA_OPERATION,
  ATTR_ML_ENTITY_COUNT,
  ATTR_ML_PREDICTION_COUNT,
} from '@mltrace/tracing/attributes';
import {
  ATTR_DB_OPERATION_BATCH_SIZE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_SERVICE_NAME,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import type { AttributeValue, Attributes, Span, SpanKind, Trace } from '../model';

const PORTS: Record<string, number> = { gateway: 8080, 'feature-store': 8081, inference: 8082, postprocess: 8083 };
const REDIS_PORT = 6379;

/** Attributes of a gateway client span calling `service`. */
function clientAttrs(service: string, status = 200): Attributes {
  return { [ATTR_HTTP_REQUEST_METHOD]: 'POST', [ATTR_SERVER_ADDRESS]: '127.0.0.1', [ATTR_SERVER_PORT]: PORTS[service] ?? 0, [ATTR_HTTP_RESPONSE_STATUS_CODE]: status };
}

/** Attributes of the @fastify/otel SERVER span of `service` for `route`. */
function serverAttrs(service: string, route: string, status = 200): Attributes {
  return {
    [ATTR_HTTP_REQUEST_METHOD]: 'POST',
    [ATTR_HTTP_ROUTE]: route,
    [ATTR_URL_PATH]: route,
    [ATTR_SERVER_ADDRESS]: '127.0.0.1',
    [ATTR_SERVER_PORT]: PORTS[service] ?? 0,
    [ATTR_HTTP_RESPONSE_STATUS_CODE]: status,
  };
}

function redisAttrs(operation: string, batchSize?: number): Attributes {
  return {
    [ATTR_DB_SYSTEM_NAME]: 'redis',
    [ATTR_DB_OPERATION_NAME]: operation,
    ...(batchSize !== undefined ? { [ATTR_DB_OPERATION_BATCH_SIZE]: batchSize } : {}),
    [ATTR_SERVER_ADDRESS]: '127.0.0.1',
    [ATTR_SERVER_PORT]: REDIS_PORT,
  };
}

export interface SlowSliceFault {
  /** All of these attribute values must match, e.g. {'ml.model.version':'v2','business.customer_segment':'enterprise'}. */
  when: Record<string, string>;
  extraMs: number;
  /** Where the extra time is spent (default: inference model_predict). */
  at?: 'inference' | 'feature-store';
}

export interface GeneratorOptions {
  traces: number;
  seed?: number;
  /** µs since epoch of the first request (default 2026-01-01T00:00:00Z). */
  startTime?: number;
  /** Mean arrival rate, requests/s (Poisson arrivals; default 200). */
  rate?: number;
  /** Entities per request, uniform in [min, max] (default [4, 16]). */
  entities?: [number, number];
  faults?: {
    /** One sequential Redis round trip per entity. */
    nPlusOne?: boolean;
    /** A model_load span inside every inference request. */
    coldModel?: boolean;
    /** The enrichment feature lookup runs after the first lookup instead of concurrently. */
    sequentialCalls?: boolean;
    /** Fraction of postprocess calls failing with PP_FLAKY_FAILURE (HTTP 500 → gateway 502). */
    flakyPostprocess?: number;
    /** The gateway calls postprocess outside the request's context: that call and postprocess form separate traces without ML context. */
    droppedContext?: boolean;
    /** Fraction of feature lookups delayed by 80 ms. */
    slowFeatures?: number;
    slowSlices?: SlowSliceFault[];
  };
}

/** mulberry32: small, fast, seeded. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEGMENTS = ['consumer', 'smb', 'enterprise', 'premium'];
const REGIONS = ['us-east', 'us-west', 'eu-west', 'ap-south'];
const PRIORITIES = ['low', 'normal', 'high'];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)] as T;
}

function hex(r: () => number, chars: number): string {
  let s = '';
  while (s.length < chars) s += Math.floor(r() * 0x100000000).toString(16).padStart(8, '0');
  return s.slice(0, chars);
}

const resources = new Map<string, Attributes>();
function resource(service: string): Attributes {
  let r = resources.get(service);
  if (!r) resources.set(service, (r = { [ATTR_SERVICE_NAME]: service }));
  return r;
}

/** Yields traces one at a time so a million spans can be streamed to disk. */
export function* traceStream(opts: GeneratorOptions): Generator<Trace> {
  const r = prng(opts.seed ?? 42);
  const faults = opts.faults ?? {};
  const rate = opts.rate ?? 200;
  const [minE, maxE] = opts.entities ?? [4, 16];
  let now = opts.startTime ?? Date.UTC(2026, 0, 1) * 1000;
  // Log-normal-ish jitter around a base duration (µs).
  const dur = (baseMs: number) => Math.max(1, Math.round(baseMs * 1000 * Math.exp((r() - 0.5) * 0.6)));

  for (let n = 0; n < opts.traces; n++) {
    now += Math.round((-Math.log(1 - r()) / rate) * 1e6);
    const traceId = hex(r, 32);
    const ctx: Attributes = {
      [ATTR_ML_MODEL_VERSION]: r() < 0.6 ? 'v1' : 'v2',
      [ATTR_ML_EXPERIMENT_ID]: 'exp-churn-42',
      [ATTR_ML_FEATURE_STORE_VERSION]: 'v1',
      [ATTR_ML_DATA_BATCH_ID]: `batch-${Math.floor(n / 5000)}`,
      [ATTR_BUSINESS_CUSTOMER_SEGMENT]: pick(r, SEGMENTS),
      [ATTR_BUSINESS_REGION]: pick(r, REGIONS),
      [ATTR_BUSINESS_PRIORITY]: pick(r, PRIORITIES),
    };
    const matches = (f: SlowSliceFault) => Object.entries(f.when).every(([k, v]) => ctx[k] === v);
    const extra = (at: 'inference' | 'feature-store') =>
      (faults.slowSlices ?? []).filter((f) => (f.at ?? 'inference') === at && matches(f)).reduce((a, f) => a + f.extraMs * 1000, 0);
    const spans: Span[] = [];
    const span = (p: Span | undefined, service: string, name: string, kind: SpanKind, start: number, duration: number, attrs: Attributes = {}, tid = traceId, withCtx = true): Span => {
      const s: Span = {
        traceId: tid,
        spanId: hex(r, 16),
        parentSpanId: p?.spanId,
        references: [],
        name,
        service,
        kind,
        start,
        duration,
        status: 'unset',
        attributes: withCtx ? { ...ctx, ...attrs } : attrs,
        resource: resource(service),
        events: [],
      };
      spans.push(s);
      return s;
    };
    const net = () => dur(0.15);
    const entities = minE + Math.floor(r() * (maxE - minE + 1));

    // A feature lookup starting at t: returns its client span (duration fixed up at the end).
    const featureCall = (parent: Span, t: number): Span => {
      const client = span(parent, 'gateway', 'POST /v1/features', 'client', t, 0, clientAttrs('feature-store'));
      const sStart = t + net();
      const server = span(client, 'feature-store', 'POST /v1/features', 'server', sStart, 0, serverAttrs('feature-store', '/v1/features'));
      let cur = sStart + dur(0.2);
      if (faults.slowFeatures && r() < faults.slowFeatures) cur += 80_000;
      cur += extra('feature-store');
      const fx = span(server, 'feature-store', 'feature_extraction', 'internal', cur, 0, { [ATTR_ML_OPERATION_TYPE]: 'feature_extraction', [ATTR_ML_ENTITY_COUNT]: entities });
      let fxCur = cur + dur(0.05);
      if (faults.nPlusOne) {
        for (let e = 0; e < entities; e++) {
          const d = dur(0.25);
          // As the ioredis instrumentation names a plain command's span.
          span(fx, 'feature-store', 'hmget', 'client', fxCur, d, redisAttrs('hmget'));
          fxCur += d + 20;
        }
      } else {
        // One pipelined round trip: a single span, a little longer per key.
        const d = dur(0.4) + entities * 3;
        span(fx, 'feature-store', 'BATCH HMGET', 'client', fxCur, d, redisAttrs('BATCH HMGET', entities));
        fxCur += d;
      }
      fx.duration = fxCur + dur(0.05) - fx.start;
      server.duration = fx.start + fx.duration + dur(0.1) - server.start;
      client.duration = server.start + server.duration + net() - client.start;
      return client;
    };

    const root = span(undefined, 'gateway', 'POST /v1/predict', 'server', now, 0, serverAttrs('gateway', '/v1/predict'));
    let t = now + dur(0.3);
    const f1 = featureCall(root, t);
    const f2 = featureCall(root, faults.sequentialCalls ? f1.start + f1.duration + 20 : t + 30);
    t = Math.max(f1.start + f1.duration, f2.start + f2.duration) + dur(0.05);

    const ic = span(root, 'gateway', 'POST /v1/infer', 'client', t, 0, clientAttrs('inference'));
    const is = span(ic, 'inference', 'POST /v1/infer', 'server', t + net(), 0, serverAttrs('inference', '/v1/infer'));
    let it = is.start + dur(0.1);
    if (faults.coldModel) {
      const d = dur(25);
      span(is, 'inference', 'model_load', 'internal', it, d, { [ATTR_ML_OPERATION_TYPE]: 'model_load' });
      it += d + 20;
    }
    const predD = dur(2) + extra('inference') + (ctx[ATTR_ML_MODEL_VERSION] === 'v2' ? dur(0.3) : 0);
    span(is, 'inference', 'model_predict', 'internal', it, predD, {
      [ATTR_ML_OPERATION_TYPE]: 'model_prediction',
      [ATTR_ML_PREDICTION_CONFIDENCE_MEAN]: Math.round((0.7 + r() * 0.25) * 1000) / 1000,
      [ATTR_ML_PREDICTION_COUNT]: entities,
    });
    is.duration = it + predD + dur(0.1) - is.start;
    ic.duration = is.start + is.duration + net() - ic.start;
    t = ic.start + ic.duration + dur(0.05);

    const flaky = faults.flakyPostprocess !== undefined && r() < faults.flakyPostprocess;
    // dropped-context: the gateway calls postprocess from an empty context (as with
    // context.with(ROOT_CONTEXT, …)), so its client span starts a new trace without baggage.
    const dropped = faults.droppedContext === true;
    const ppTrace = dropped ? hex(r, 32) : traceId;
    const pc = span(dropped ? undefined : root, 'gateway', 'POST /v1/postprocess', 'client', t, 0, clientAttrs('postprocess', flaky ? 500 : 200), ppTrace, !dropped);
    const ps = span(pc, 'postprocess', 'POST /v1/postprocess', 'server', t + net(), 0, serverAttrs('postprocess', '/v1/postprocess', flaky ? 500 : 200), ppTrace, !dropped);
    const pd = dur(0.6);
    if (!flaky) span(ps, 'postprocess', 'postprocess', 'internal', ps.start + dur(0.1), pd, { [ATTR_ML_OPERATION_TYPE]: 'data_processing', [ATTR_ML_DATA_OPERATION]: 'postprocess', [ATTR_ML_DATA_INPUT_SIZE]: entities }, ppTrace, !dropped);
    ps.duration = dur(0.2) + pd;
    pc.duration = ps.start + ps.duration + net() - pc.start;
    if (flaky) {
      ps.status = 'error';
      ps.statusMessage = 'PP_FLAKY_FAILURE';
      ps.attributes[ATTR_ERROR_TYPE] = 'PP_FLAKY_FAILURE';
      pc.status = 'error';
      pc.attributes[ATTR_ERROR_TYPE] = '500';
      root.status = 'error';
      root.attributes[ATTR_HTTP_RESPONSE_STATUS_CODE] = 502;
      root.attributes[ATTR_ERROR_TYPE] = 'GW_DEPENDENCY_FAILED';
    }
    root.duration = pc.start + pc.duration + dur(0.2) - root.start;

    const main = spans.filter((s) => s.traceId === traceId).sort((a, b) => a.start - b.start || (a.spanId < b.spanId ? -1 : 1));
    yield { traceId, spans: main };
    if (dropped) yield { traceId: ppTrace, spans: spans.filter((x) => x.traceId === ppTrace).sort((a, b) => a.start - b.start) };
  }
}

export function generateTraces(opts: GeneratorOptions): Trace[] {
  return [...traceStream(opts)];
}

const KIND_NUMBER: Record<SpanKind, number> = { unspecified: 0, internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };
const STATUS_NUMBER = { unset: 0, ok: 1, error: 2 } as const;

function otlpValue(v: unknown): Record<string, unknown> {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(otlpValue) } };
  return { stringValue: String(v) };
}

function otlpSpan(s: Span): Record<string, unknown> {
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    parentSpanId: s.parentSpanId ?? '',
    name: s.name,
    kind: KIND_NUMBER[s.kind],
    startTimeUnixNano: `${s.start}000`,
    endTimeUnixNano: `${s.start + s.duration}000`,
    attributes: Object.entries(s.attributes).map(([key, value]) => ({ key, value: otlpValue(value) })),
    status: s.statusMessage ? { code: STATUS_NUMBER[s.status], message: s.statusMessage } : { code: STATUS_NUMBER[s.status] },
  };
}

/** One ExportTraceServiceRequest for a batch of spans, grouped by service. */
export function toOtlpRequest(spans: readonly Span[]): Record<string, unknown> {
  const bySvc = new Map<string, Span[]>();
  for (const s of spans) {
    let a = bySvc.get(s.service);
    if (!a) bySvc.set(s.service, (a = []));
    a.push(s);
  }
  return {
    resourceSpans: [...bySvc].map(([service, list]) => ({
      resource: { attributes: [{ key: ATTR_SERVICE_NAME, value: { stringValue: service } }] },
      scopeSpans: [{ scope: { name: '@mltrace/synthetic' }, spans: list.map(otlpSpan) }],
    })),
  };
}

/**
 * Writes traces as OTLP/JSON lines (what the file exporter writes): one ExportTraceServiceRequest
 * per line with up to `spansPerLine` spans. Returns the number of spans written.
 */
export async function writeOtlpLines(traces: Iterable<Trace>, file: string, spansPerLine = 512): Promise<number> {
  const out = createWriteStream(file);
  let batch: Span[] = [];
  let written = 0;
  const flush = async () => {
    if (!batch.length) return;
    if (!out.write(`${JSON.stringify(toOtlpRequest(batch))}\n`)) await once(out, 'drain');
    written += batch.length;
    batch = [];
  };
  for (const t of traces) {
    for (const s of t.spans) batch.push(s);
    if (batch.length >= spansPerLine) await flush();
  }
  await flush();
  out.end();
  await once(out, 'finish');
  return written;
}

/** A Jaeger tag ({key, type, value}) for an attribute value, as Jaeger's API v1 writes it. */
function jaegerTag(key: string, value: AttributeValue): Record<string, unknown> {
  if (typeof value === 'boolean') return { key, type: 'bool', value };
  if (typeof value === 'number') return { key, type: Number.isInteger(value) ? 'int64' : 'float64', value };
  return { key, type: 'string', value: Array.isArray(value) ? JSON.stringify(value) : value };
}

/** One trace in Jaeger's UI model (what `GET /api/traces` returns per trace, and the Jaeger UI downloads). */
export function toJaegerTrace(t: Trace): Record<string, unknown> {
  const processIds = new Map<string, string>();
  for (const s of t.spans) if (!processIds.has(s.service)) processIds.set(s.service, `p${processIds.size + 1}`);
  return {
    traceID: t.traceId,
    spans: t.spans.map((s) => ({
      traceID: s.traceId,
      spanID: s.spanId,
      operationName: s.name,
      references: s.parentSpanId ? [{ refType: 'CHILD_OF', traceID: s.traceId, spanID: s.parentSpanId }] : [],
      startTime: s.start,
      duration: s.duration,
      tags: [
        ...Object.entries(s.attributes).map(([k, v]) => jaegerTag(k, v)),
        { key: 'span.kind', type: 'string', value: s.kind },
        ...(s.status === 'error' ? [{ key: 'error', type: 'bool', value: true }] : []),
      ],
      logs: [],
      processID: processIds.get(s.service),
      warnings: null,
    })),
    processes: Object.fromEntries([...processIds].map(([service, id]) => [id, { serviceName: service, tags: [] }])),
    warnings: null,
  };
}

/** Writes traces as a Jaeger API v1 response `{"data": [trace…], …}`. Returns the number of spans written. */
export async function writeJaegerJson(traces: Iterable<Trace>, file: string): Promise<number> {
  const out = createWriteStream(file);
  let written = 0;
  let first = true;
  out.write('{"data":[');
  for (const t of traces) {
    if (!out.write(`${first ? '' : ','}${JSON.stringify(toJaegerTrace(t))}`)) await once(out, 'drain');
    first = false;
    written += t.spans.length;
  }
  out.end('],"total":0,"limit":0,"offset":0,"errors":null}');
  await once(out, 'finish');
  return written;
}
