/**
 * What each lab page's "With Jaeger" text tells the learner to do in Jaeger's UI, done through
 * the API the UI reads, and what the page says they will see there, checked. Each returns what
 * does not hold (empty: all does). The labs not here say nothing about Jaeger (overhead) or only
 * what the Findings already check from Jaeger's traces.
 */
import { SCENARIOS } from '@mltrace/scenarios';
import type { RunContext } from './lab-page';
import { median, parentOf, rootsOf, serviceOf, tagOf, type JaegerApi, type JaegerSpan, type JaegerTrace } from './jaeger-api';

type Claims = (api: JaegerApi, ctx: RunContext, since: number) => Promise<string[]>;

const problems = (checks: Array<[boolean, string]>): string[] => checks.filter(([ok]) => !ok).map(([, what]) => what);
const spansOf = (t: JaegerTrace, service: string, operation?: string): JaegerSpan[] =>
  t.spans.filter((s) => serviceOf(t, s) === service && (operation === undefined || s.operationName === operation));
const isError = (s: JaegerSpan): boolean => tagOf(s, 'error') === 'true' || tagOf(s, 'otel.status_code') === 'ERROR';

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
};
