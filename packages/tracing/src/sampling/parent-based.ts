import { trace, TraceFlags, isSpanContextValid, type Attributes, type Context, type Link, type SpanKind } from '@opentelemetry/api';
import { SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace';

/**
 * A child follows its parent's sampled flag, whether the parent is local or came
 * in over the wire, so a trace is either complete or absent, never half-sampled.
 * Only spans without a valid parent reach the root sampler.
 */
export class ParentFollowingSampler implements Sampler {
  constructor(readonly root: Sampler) {}

  shouldSample(ctx: Context, traceId: string, spanName: string, kind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    const parent = trace.getSpanContext(ctx);
    if (parent && isSpanContextValid(parent)) {
      const sampled = (parent.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
      return { decision: sampled ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD };
    }
    return this.root.shouldSample(ctx, traceId, spanName, kind, attributes, links);
  }

  toString(): string {
    return `ParentFollowing{root=${this.root.toString()}}`;
  }
}
