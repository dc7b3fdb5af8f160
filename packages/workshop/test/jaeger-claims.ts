/**
 * What each lab page's "With Jaeger" text tells the learner to do in Jaeger's UI, done through
 * the API the UI reads, and what the page says they will see there, checked. Each returns what
 * does not hold (empty: all does). Every lab with a "With Jaeger" text is here; the overhead lab
 * has none, and the mystery's (`--traces http://localhost:16686`) is each lab's `lab answer` row.
 */
import { SCENARIOS } from '@mltrace/scenarios';
import type { RunContext } from './lab-page';
import { median, parentOf, rootsOf, serviceOf, tagOf, type JaegerApi, type JaegerSpan, type JaegerTrace } from './jaeger-api';

type Claims = (api: JaegerApi, ctx: RunContext, since: number) => Promise<string[]>;

const problems = (checks: Array<[boolean, string]>): string[] => checks.filter(([ok]) => !ok).map(([, what]) => what);
const spansOf = (t: JaegerTrace, service: string, operation?: string): JaegerSpan[] =>
  t.spans.filter((s) => serviceOf(t, s) === service && (operation === undefined || s.operationName === operation));
const isError = (s: JaegerSpan): boolean => tagOf(s, 'error') === 'true' || tagOf(s, 'otel.status_code') === 'ERROR';
const ms = (us: number): string => `${(us / 1000).toFixed(1)} ms`;
const endOf = (s: JaegerSpan): number => s.startTime + s.duration;
/**
 * OpenTelemetry JS takes a span's start from Date.now() (whole milliseconds) and its duration from
 * the monotonic clock, so each span sits up to 1 ms early: two calls made one after the other can
 * look as if they overlap by less than that.
 */
const START_GRANULARITY_US = 1000;
/** The share of exceptions a "they never overlap" claim tolerates on a busy machine. */
const MOSTLY = 0.1;
/** Sorted by start, each starts once the one before has ended (within the start times' granularity): a staircase. */
const oneAfterAnother = (spans: JaegerSpan[]): boolean => spans.every((s, i) => i === 0 || s.startTime > endOf(spans[i - 1] as JaegerSpan) - START_GRANULARITY_US);
const byStart = (spans: JaegerSpan[]): JaegerSpan[] => [...spans].sort((a, b) => a.startTime - b.startTime);
const requests = (api: JaegerApi, since: number, tags?: Record<string, string>): Promise<JaegerTrace[]> =>
  api.search({ service: 'gateway', operation: 'POST /v1/predict', since, ...(tags ? { tags } : {}) });

const YOUR_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

export const JAEGER_CLAIMS: Record<string, Claims> = {
  // "paste 4bf9… in the search box. Click a span to see its attributes."
  'reading-a-trace': async (api) => {
    const t = await api.trace(YOUR_TRACE);
    if (!t) return [`trace ${YOUR_TRACE} is not found by its id`];
    const services = [...new Set(t.spans.map((s) => serviceOf(t, s)))].sort();
    const roots = rootsOf(t);
    return problems([
      [t.spans.length === 15, `trace ${YOUR_TRACE} has ${t.spans.length} spans, not 15`],
      [services.join(',') === 'feature-store,gateway,inference,postprocess', `its services: ${services.join(', ')}`],
      [t.spans.every((s) => tagOf(s, 'ml.model.version') === 'v2' && tagOf(s, 'business.customer_segment') === 'enterprise'), 'not every span carries ml.model.version=v2 and business.customer_segment=enterprise'],
      [roots.length === 1 && parentOf(roots[0] as JaegerSpan) === '00f067aa0ba902b7', `its root's parent is ${roots.map(parentOf).join(', ')}, not the curl's 00f067aa0ba902b7`],
    ]);
  },
  // "search service gateway, operation POST /v1/predict. Open a trace. Then search service postprocess."
  'dropped-context': async (api, _ctx, since) => {
    const predict = await api.search({ service: 'gateway', operation: 'POST /v1/predict', since });
    const post = await api.search({ service: 'postprocess', since });
    return problems([
      [predict.length > 0, 'no gateway POST /v1/predict traces'],
      [predict.every((t) => spansOf(t, 'inference', 'model_prediction').length > 0 && spansOf(t, 'postprocess').length === 0), 'a request trace does not end after inference'],
      [post.length > 0, 'no postprocess traces'],
      [
        post.every((t) => {
          const roots = rootsOf(t);
          return roots.length === 1 && serviceOf(t, roots[0] as JaegerSpan) === 'gateway' && roots[0]?.operationName === 'POST /v1/postprocess' && parentOf(roots[0] as JaegerSpan) === undefined;
        }),
        "a postprocess trace is not a trace of its own (root: the gateway's POST /v1/postprocess, no parent)",
      ],
      [post.length >= predict.length, `${post.length} postprocess traces for ${predict.length} requests`],
    ]);
  },
  // "search service gateway, sort by Longest First. Open the slowest traces": the planted delay is
  // in the Redis call. Most of the slowest few (on a busy machine one trace can be slow anywhere).
  'slow-features': async (api, _ctx, since) => {
    const { delayMs } = SCENARIOS['slow-features'].settings;
    const traces = await api.search({ service: 'gateway', operation: 'POST /v1/predict', since });
    const rootDuration = (t: JaegerTrace) => Math.max(...rootsOf(t).map((s) => s.duration));
    const slowest = [...traces].sort((a, b) => rootDuration(b) - rootDuration(a)).slice(0, 5);
    const redis = slowest.map((t) => Math.max(0, ...spansOf(t, 'feature-store', 'BATCH HMGET').map((s) => s.duration)));
    const delayed = redis.filter((us) => us >= delayMs * 1000).length;
    return problems([[slowest.length === 5 && delayed >= 3, `the longest BATCH HMGET of each of the 5 slowest traces: ${redis.map((us) => `${(us / 1000).toFixed(1)} ms`).join(', ')} (${delayed} of them hold the planted ${delayMs} ms)`]]);
  },
  // "search service gateway with Tags business.region=ap-south, then business.region=us-east. Compare the durations."
  'hot-partition': async (api, _ctx, since) => {
    const { region, delayMs } = SCENARIOS['hot-partition'].settings;
    const p50 = async (r: string): Promise<number> => median((await requests(api, since, { 'business.region': r })).flatMap((t) => rootsOf(t).map((s) => s.duration)));
    const [hot, other] = [await p50(region), await p50('us-east')];
    return problems([[hot - other >= (delayMs * 1000) / 2, `median request: ${region} ${ms(hot)}, us-east ${ms(other)}; not the planted ${delayMs} ms apart`]]);
  },
  // "open any gateway trace and expand feature_extraction": one hmget per customer, one after another.
  'n-plus-one': async (api, _ctx, since) => {
    const traces = await requests(api, since);
    const stairs = traces.flatMap((t) => spansOf(t, 'feature-store', 'feature_extraction').map((fe) => byStart(t.spans.filter((s) => parentOf(s) === fe.spanID && s.operationName === 'hmget'))));
    const most = Math.max(0, ...stairs.map((c) => c.length));
    const overlapping = stairs.filter((c) => !oneAfterAnother(c)).length;
    return problems([
      [stairs.length > 0 && stairs.every((c) => c.length >= 1), 'a feature_extraction span with no hmget under it'],
      [most >= 4, `at most ${most} hmget calls under one feature_extraction (the page shows a batch of 4)`],
      // Nearly all (a descheduled process can stretch one span's clock): a concurrent fan-out overlaps in nearly all.
      [overlapping <= stairs.length * MOSTLY, `${overlapping} of ${stairs.length} feature_extraction spans have hmget calls that overlap: not a staircase`],
    ]);
  },
  // "search service gateway with Tags http.response.status_code=502. Open a trace. Failed spans are red."
  'flaky-postprocess': async (api, ctx, since) => {
    const failed = await api.search({ service: 'gateway', tags: { 'http.response.status_code': '502' }, since });
    return problems([
      [failed.length > 0, 'the search for http.response.status_code=502 finds nothing'],
      [failed.length === ctx.report().errors.failedTraces, `the search finds ${failed.length} traces, the report ${ctx.report().errors.failedTraces} failed ones`],
      [failed.every((t) => spansOf(t, 'postprocess', 'postprocess').some(isError) && spansOf(t, 'gateway', 'POST /v1/predict').some(isError)), "a failed trace's postprocess and gateway spans are not marked failed"],
    ]);
  },
  // "search service inference, operation model_prediction, Tags ml.model.version=v2 business.customer_segment=enterprise. Then v1, and another segment."
  'model-regression': async (api, _ctx, since) => {
    const p50 = async (version: string, segment: string): Promise<number> => {
      const tags = { 'ml.model.version': version, 'business.customer_segment': segment };
      const traces = await api.search({ service: 'inference', operation: 'model_prediction', tags, since });
      const spans = traces.flatMap((t) => spansOf(t, 'inference', 'model_prediction')).filter((s) => tagOf(s, 'ml.model.version') === version && tagOf(s, 'business.customer_segment') === segment);
      return median(spans.map((s) => s.duration));
    };
    const enterprise = (await p50('v2', 'enterprise')) - (await p50('v1', 'enterprise'));
    const consumer = (await p50('v2', 'consumer')) - (await p50('v1', 'consumer'));
    return problems([
      [enterprise > 20_000, `v2's median model_prediction is ${(enterprise / 1000).toFixed(1)} ms above v1's for enterprise (planted: 60 ms)`],
      [consumer < enterprise / 2, `for consumer v2 is ${(consumer / 1000).toFixed(1)} ms above v1, not under half the enterprise gap (${(enterprise / 1000).toFixed(1)} ms)`],
    ]);
  },
  // "look at the two POST /v1/features client spans of the gateway. Do their bars overlap?" No.
  'sequential-calls': async (api, _ctx, since) => {
    const lookups = (await requests(api, since)).map((t) => byStart(spansOf(t, 'gateway', 'POST /v1/features'))).filter((l) => l.length > 0);
    const overlapping = lookups.filter((l) => !oneAfterAnother(l)).length;
    return problems([
      [lookups.length > 0 && lookups.every((l) => l.length === 2), `the gateway's feature lookups per request: ${[...new Set(lookups.map((l) => l.length))].join(', ')}, not 2`],
      [overlapping <= lookups.length * MOSTLY, `in ${overlapping} of ${lookups.length} requests the two lookups overlap`],
    ]);
  },
  // "Search operation model_load: how many are there? Click a model_prediction span and read ml.model.cache_hit."
  'cold-model': async (api, _ctx, since) => {
    const predictions = (await requests(api, since)).flatMap((t) => spansOf(t, 'inference', 'model_prediction'));
    const loads = (await api.search({ service: 'inference', operation: 'model_load', since })).flatMap((t) => spansOf(t, 'inference', 'model_load'));
    return problems([
      [predictions.length > 0 && loads.length >= predictions.length, `${loads.length} model_load spans for ${predictions.length} predictions: not one per request`],
      [predictions.every((s) => tagOf(s, 'ml.model.cache_hit') === 'false'), 'a model_prediction span says ml.model.cache_hit=true'],
    ]);
  },
  // "mltrace.sampling.rule and mltrace.sampling.probability … in Jaeger on the gateway's root span."
  sampling: async (api, _ctx, since) => {
    const rule = async (priority: string): Promise<string[]> => {
      const traces = await api.search({ service: 'gateway', tags: { 'business.priority': priority }, since });
      return [...new Set(traces.flatMap((t) => rootsOf(t).filter((s) => serviceOf(t, s) === 'gateway').map((s) => `${tagOf(s, 'mltrace.sampling.rule')} p=${tagOf(s, 'mltrace.sampling.probability')}`)))];
    };
    const high = await rule('high');
    const normal = await rule('normal');
    return problems([
      [high.join() === 'ml-rule:priority=high p=1', `the priority=high roots say ${high.join('; ')}`],
      [normal.join() === 'operation:POST /v1/predict:probabilistic p=0.2', `the priority=normal roots say ${normal.join('; ')}`],
    ]);
  },
  // "the npx mltrace analyze http://localhost:16686 --since … that lab start printed … reads the same
  // traces from Jaeger (the load steps' too)": the report read from Jaeger has load bands past the
  // calm 20/s. (--target-rate only changes the what-if figures; the file path runs it as written.)
  capacity: async (_api, ctx) => {
    const top = Math.max(0, ...ctx.report().capacity.loadBands.map((b) => b.meanRate));
    return problems([[top > 30, `the highest load band read from Jaeger is ${top.toFixed(1)} requests/s: the load steps' traces are missing`]]);
  },
};
