import { randomBytes } from 'node:crypto';
import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import { getServerSpan } from '@mltrace/tracing';

export interface RequestIdentity {
  traceId: string;
  /** W3C Trace Context Level 2 `traceresponse` value; absent when tracing is off. */
  traceresponse?: string;
}

/**
 * Identity of the current request from the active span. Without the tracing preload there is no
 * span, so a random id of the same shape stands in (the response still has a request_id).
 */
export function currentIdentity(): RequestIdentity | undefined {
  // The HTTP server span, not a child span active at this point: `traceresponse` names the span
  // the caller's request became.
  const active = context.active();
  const ctx = (getServerSpan(active) ?? trace.getSpan(active))?.spanContext();
  if (!ctx || !isSpanContextValid(ctx)) return undefined;
  const flags = (ctx.traceFlags & 0xff).toString(16).padStart(2, '0');
  return { traceId: ctx.traceId, traceresponse: `00-${ctx.traceId}-${ctx.spanId}-${flags}` };
}

export function untracedIdentity(): RequestIdentity {
  return { traceId: randomBytes(16).toString('hex') };
}

/** `x-trace-id` (the response's request_id) and, when traced, `traceresponse`. */
export function setIdentityHeaders(reply: { header(k: string, v: string): unknown }, identity: RequestIdentity): void {
  reply.header('x-trace-id', identity.traceId);
  if (identity.traceresponse) reply.header('traceresponse', identity.traceresponse);
}
