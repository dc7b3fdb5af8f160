import { isSpanContextValid, trace, TraceFlags, type Context } from '@opentelemetry/api';

/**
 * True when `ctx` holds a valid span context whose trace is not sampled. Under such a parent a
 * parent-following sampler (`parentbased_*`, mltrace's sampler, `always_off`) can only answer
 * "drop": the instrumentations that follow the parent's sampling (fastify, undici, ioredis) then
 * start no span at all and let the context go on as it is.
 */
export function hasUnsampledParent(ctx: Context): boolean {
  const parent = trace.getSpanContext(ctx);
  return parent !== undefined && (parent.traceFlags & TraceFlags.SAMPLED) === 0 && isSpanContextValid(parent);
}
