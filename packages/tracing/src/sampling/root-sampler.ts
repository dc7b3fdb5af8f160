import type { Attributes, Context, Link, SpanKind } from '@opentelemetry/api';
import { SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace';
import { ATTR_MLTRACE_SAMPLING_PROBABILITY, ATTR_MLTRACE_SAMPLING_RULE } from '../attributes';
import { AdaptiveController } from './adaptive';
import { createDecider, sameSpec, type Decider, type Verdict } from './deciders';
import { matchMlRule } from './ml-rules';
import { operationCandidates } from './operation-name';
import { traceIdRatioSampled } from './trace-id-ratio';
import type { AdaptiveRule, RuleSpec, ServicePolicy } from './types';

/** Bounds the state kept for `"operation": "*"` adaptive rules (one controller per operation name). */
export const MAX_ADAPTIVE_OPERATIONS = 500;

const NOT_SAMPLED: SamplingResult = { decision: SamplingDecision.NOT_RECORD };

/**
 * Decides root spans (spans without a valid parent) for one service.
 * Order: ML rules, adaptive rules, the operation's strategy, the service default.
 * The policy can be swapped at run time (remote sampling); state of rules whose
 * parameters did not change (token buckets, adaptive controllers) carries over.
 */
export class RootSampler implements Sampler {
  private policy!: ServicePolicy;
  private deciders = new Map<string, Decider>();
  private adaptive = new Map<string, AdaptiveController>();

  constructor(
    policy: ServicePolicy,
    private readonly clock: () => number,
  ) {
    this.setPolicy(policy);
  }

  get currentPolicy(): ServicePolicy {
    return this.policy;
  }

  setPolicy(policy: ServicePolicy): void {
    const next = new Map<string, Decider>();
    const keep = (key: string, spec: RuleSpec): void => {
      const old = this.deciders.get(key);
      next.set(key, old && sameSpec(old.spec, spec) ? old : createDecider(spec, this.clock));
    };
    keep('\0default', policy.serviceDefault);
    for (const [op, spec] of policy.operations) keep(op, spec);
    const adaptive = new Map<string, AdaptiveController>();
    for (const [key, ctl] of this.adaptive) {
      if (policy.adaptive.some((r) => JSON.stringify(r) === JSON.stringify(ctl.rule))) adaptive.set(key, ctl);
    }
    this.deciders = next;
    this.adaptive = adaptive;
    this.policy = policy;
  }

  shouldSample(ctx: Context, traceId: string, spanName: string, _kind: SpanKind, attributes: Attributes, _links: Link[]): SamplingResult {
    const ml = matchMlRule(this.policy.mlRules, attributes, ctx);
    if (ml) {
      const p = ml.rule.probability ?? 1;
      return result(traceIdRatioSampled(traceId, p), ml.label, p);
    }
    const candidates = operationCandidates(spanName, attributes);
    const adaptive = this.adaptiveFor(candidates);
    if (adaptive) {
      const p = adaptive.controller.arrive();
      return result(traceIdRatioSampled(traceId, p), `adaptive:${adaptive.operation}`, p);
    }
    for (const op of candidates) {
      const decider = this.deciders.get(op);
      if (decider) return fromVerdict(decider.decide(traceId), `operation:${op}`);
    }
    const decider = this.deciders.get('\0default');
    return decider ? fromVerdict(decider.decide(traceId), this.policy.defaultLabel) : NOT_SAMPLED;
  }

  toString(): string {
    return `MltraceRootSampler{source=${this.policy.source}}`;
  }

  private adaptiveFor(candidates: string[]): { operation: string; controller: AdaptiveController } | undefined {
    let rule: AdaptiveRule | undefined;
    let operation: string | undefined;
    for (const op of candidates) {
      rule = this.policy.adaptive.find((r) => r.operation === op);
      if (rule) {
        operation = op;
        break;
      }
    }
    if (!rule) {
      rule = this.policy.adaptive.find((r) => r.operation === '*');
      operation = candidates.at(-1);
    }
    if (!rule || operation === undefined) return undefined;
    let controller = this.adaptive.get(operation);
    if (!controller) {
      if (this.adaptive.size >= MAX_ADAPTIVE_OPERATIONS) return undefined;
      controller = new AdaptiveController(rule, this.clock);
      this.adaptive.set(operation, controller);
    }
    return { operation, controller };
  }
}

function fromVerdict(v: Verdict, prefix: string): SamplingResult {
  return result(v.sampled, `${prefix}:${v.how}`, v.probability);
}

/** Attributes only on sampled spans: unsampled ones are never exported. */
function result(sampled: boolean, rule: string, probability: number | undefined): SamplingResult {
  if (!sampled) return NOT_SAMPLED;
  const attributes: Attributes = { [ATTR_MLTRACE_SAMPLING_RULE]: rule };
  if (probability !== undefined) attributes[ATTR_MLTRACE_SAMPLING_PROBABILITY] = probability;
  return { decision: SamplingDecision.RECORD_AND_SAMPLED, attributes };
}
