/**
 * `model-reloaded`: a model loaded inside requests (spans named `model_load`, or
 * `ml.operation.type=model_load`, below a request's entry), in at least MIN_LOAD_SHARE of the
 * requests entering the services that load. Loads at start-up are their own traces and never count.
 * Gain: the critical-path time of the loads per affected request (their duration when the path does
 * not cross them).
 */
import { ATTR_ML_OPERATION_TYPE } from '@mltrace/tracing/attributes';
import type { Span } from '../../model';
import { isEntry, opKey, traceFacts } from '../trace-facts';
import { ExampleTraces, ms, type Recommendation, type RuleInput } from './common';

/** Loads per request entering a loading service below which reloading is no pattern. */
export const MIN_LOAD_SHARE = 0.1;
/** Fewer loads than this prove nothing. */
export const MIN_LOADS = 3;

const OPERATION_TYPE: string = ATTR_ML_OPERATION_TYPE;
const MODEL_LOAD = 'model_load';

function isModelLoad(s: Span): boolean {
  return s.name === MODEL_LOAD || s.attributes[OPERATION_TYPE] === MODEL_LOAD;
}

export function modelReloaded({ traces, totalE2e }: RuleInput): Recommendation[] {
  let loads = 0;
  let loadTime = 0;
  let cp = 0;
  let tracesWithLoad = 0;
  let service = '';
  let name = MODEL_LOAD;
  const loadingServices = new Set<string>();
  const examples = new ExampleTraces();
  let exampleSpans: string[] | undefined;
  for (const t of traces) {
    const f = traceFacts(t);
    const loadSpans: Span[] = [];
    for (let i = 0; i < t.spans.length; i++) {
      const s = t.spans[i] as Span;
      if (isModelLoad(s) && (f.parent[i] as number) >= 0) loadSpans.push(s);
    }
    if (!loadSpans.length) continue;
    for (const s of loadSpans) {
      loads++;
      loadTime += s.duration;
      service = s.service;
      name = s.name;
      loadingServices.add(s.service);
    }
    tracesWithLoad++;
    cp += f.cpByOp.get(opKey(service, name)) ?? 0;
    examples.add(t.traceId);
    exampleSpans ??= loadSpans.map((s) => s.spanId);
  }
  if (loads < MIN_LOADS) return [];
  // Requests that entered a loading service: how often did one of them load?
  let requests = 0;
  for (const t of traces) {
    const f = traceFacts(t);
    for (let i = 0; i < t.spans.length; i++) {
      const s = t.spans[i] as Span;
      if (s.kind === 'server' && loadingServices.has(s.service) && isEntry(t.spans, f.parent, i)) requests++;
    }
  }
  if (requests === 0 || loads / requests < MIN_LOAD_SHARE) return [];
  const perTrace = cp > 0 ? cp / tracesWithLoad : loadTime / tracesWithLoad;
  return [
    {
      id: 'model-reloaded',
      title: 'Model loaded repeatedly inside requests',
      target: `${service}: ${name}`,
      action: `Load the model once per process (or per version) and cache it; ${service} reloads it while serving requests.`,
      evidence: {
        loadsInRequests: loads,
        requests,
        loadsPerRequest: loads / requests,
        tracesWithLoad,
        meanLoadMs: ms(loadTime / loads),
        criticalPathMsPerAffectedTrace: ms(cp / tracesWithLoad),
      },
      examples: { traceIds: examples.list(), ...(exampleSpans ? { spanIds: exampleSpans } : {}) },
      estimatedGain: { value: ms(perTrace), unit: 'ms per affected request', description: 'the time requests spend waiting for model loads, removed by caching' },
      impact: totalE2e > 0 ? (perTrace * tracesWithLoad) / totalE2e : 0,
    },
  ];
}
