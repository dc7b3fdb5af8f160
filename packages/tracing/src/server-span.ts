import { context, createContextKey, type Context, type Span } from '@opentelemetry/api';
import { RPCType, setRPCMetadata } from '@opentelemetry/core';

const SERVER_SPAN = createContextKey('mltrace server span');

/**
 * The context below `ctx` in which `span` is the request's server span. The
 * span also goes into OpenTelemetry's RPC metadata, where instrumentation-http
 * used to keep its server span, so code reading `getRPCMetadata(ctx)?.span`
 * finds the same span.
 */
export function setServerSpan(ctx: Context, span: Span): Context {
  return setRPCMetadata(ctx.setValue(SERVER_SPAN, span), { type: RPCType.HTTP, span });
}

/**
 * The SERVER span of the request being handled (the span the caller's request
 * became), also from inside child spans; undefined outside a traced request or
 * without the preload. Use it to annotate the request as a whole, or for the
 * span id of a `traceresponse` header.
 */
export function getServerSpan(ctx: Context = context.active()): Span | undefined {
  return ctx.getValue(SERVER_SPAN) as Span | undefined;
}
