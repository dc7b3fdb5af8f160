import { StrategiesFileError } from './errors';
import type { JaegerOperationStrategy, JaegerStrategy, RemoteSamplingResponse, RuleSpec, SamplingStrategies, ServicePolicy } from './types';

/** What Jaeger serves when the file has no `default_strategy` (its `--sampling.default-sampling-probability`). */
export const JAEGER_DEFAULT_PROBABILITY = 0.001;

/**
 * Used when there is nothing valid to go by (missing/invalid file, remote not reachable yet and no file):
 * bounded cost whatever the traffic, yet traces still show up.
 */
export const FALLBACK_STRATEGY: JaegerStrategy = { type: 'ratelimiting', param: 10 };

export function specOf(s: JaegerStrategy): RuleSpec {
  return s.type === 'probabilistic' ? { kind: 'probabilistic', probability: s.param } : { kind: 'ratelimiting', tracesPerSecond: s.param };
}

/**
 * The policy for one service, with Jaeger's file semantics: the service's entry (the
 * last one, if listed twice) or else `default_strategy`; operation strategies of
 * `default_strategy` apply to every service, under the service's own. Unlike Jaeger,
 * a `ratelimiting` operation strategy is honoured (mltrace extension; Jaeger drops it).
 */
export function policyFromStrategies(doc: SamplingStrategies, serviceName: string, source: string): ServicePolicy {
  const service = doc.service_strategies?.filter((s) => s.service === serviceName).at(-1);
  const base: JaegerStrategy = service ?? doc.default_strategy ?? { type: 'probabilistic', param: JAEGER_DEFAULT_PROBABILITY };
  const operations = new Map<string, RuleSpec>();
  const add = (list: JaegerOperationStrategy[] | undefined): void => list?.forEach((o) => operations.set(o.operation, specOf(o)));
  add(doc.default_strategy?.operation_strategies);
  add(service?.operation_strategies);
  const forService = <T extends { service?: string }>(rules: T[] | undefined): T[] =>
    (rules ?? []).filter((r) => r.service === undefined || r.service === serviceName);
  return {
    source,
    defaultLabel: 'service-default',
    serviceDefault: specOf(base),
    operations,
    mlRules: forService(doc.mltrace?.ml_rules),
    adaptive: forService(doc.mltrace?.adaptive),
  };
}

export function fallbackPolicy(source: string): ServicePolicy {
  return { source, defaultLabel: 'fallback', serviceDefault: specOf(FALLBACK_STRATEGY), operations: new Map(), mlRules: [], adaptive: [] };
}

const rate = (v: unknown, path: string, problems: string[], max: number): number => {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= max) return v;
  problems.push(`${path}: must be a number ${max === Infinity ? '>= 0' : `between 0 and ${max}`} (got ${JSON.stringify(v)})`);
  return 0;
};

/**
 * A Jaeger `/sampling` response as Jaeger clients read it: `operationSampling`, when
 * present, wins (per-operation probabilities, unlisted operations at
 * `defaultSamplingProbability`, each with the `defaultLowerBoundTracesPerSecond`
 * floor); otherwise the service-wide probabilistic or rate-limiting strategy.
 * Accepts both the proto-JSON enums ("PROBABILISTIC") and the legacy 0/1 codes.
 */
export function policyFromRemote(resp: unknown, source: string): Pick<ServicePolicy, 'source' | 'serviceDefault' | 'operations'> {
  const problems: string[] = [];
  if (typeof resp !== 'object' || resp === null || Array.isArray(resp)) throw new StrategiesFileError(source, ['(root): must be a JSON object']);
  const r = resp as RemoteSamplingResponse;
  const operations = new Map<string, RuleSpec>();
  let serviceDefault: RuleSpec;
  const perOp = (p: number, lowerBound: number): RuleSpec =>
    lowerBound > 0 ? { kind: 'guaranteed', probability: p, lowerBound } : { kind: 'probabilistic', probability: p };

  // proto JSON omits zero values: a missing number is 0.
  if (r.operationSampling) {
    const os = r.operationSampling;
    const lowerBound = os.defaultLowerBoundTracesPerSecond === undefined ? 0 : rate(os.defaultLowerBoundTracesPerSecond, 'operationSampling.defaultLowerBoundTracesPerSecond', problems, Infinity);
    const defaultP = rate(os.defaultSamplingProbability ?? 0, 'operationSampling.defaultSamplingProbability', problems, 1);
    serviceDefault = perOp(defaultP, lowerBound);
    (os.perOperationStrategies ?? []).forEach((o, i) => {
      const path = `operationSampling.perOperationStrategies[${i}]`;
      if (typeof o?.operation !== 'string' || o.operation === '') return void problems.push(`${path}.operation: must be a non-empty string`);
      operations.set(o.operation, perOp(rate(o.probabilisticSampling?.samplingRate ?? 0, `${path}.probabilisticSampling.samplingRate`, problems, 1), lowerBound));
    });
  } else if (r.strategyType === 'RATE_LIMITING' || r.strategyType === 1 || (r.rateLimitingSampling && !r.probabilisticSampling)) {
    serviceDefault = { kind: 'ratelimiting', tracesPerSecond: rate(r.rateLimitingSampling?.maxTracesPerSecond ?? 0, 'rateLimitingSampling.maxTracesPerSecond', problems, Infinity) };
  } else if (r.probabilisticSampling) {
    serviceDefault = { kind: 'probabilistic', probability: rate(r.probabilisticSampling.samplingRate ?? 0, 'probabilisticSampling.samplingRate', problems, 1) };
  } else {
    problems.push('(root): has none of probabilisticSampling, rateLimitingSampling, operationSampling');
    serviceDefault = { kind: 'probabilistic', probability: 0 };
  }
  if (problems.length > 0) throw new StrategiesFileError(source, problems);
  return { source, serviceDefault, operations };
}
