import { context, SpanStatusCode, trace, type Attributes, type Span, type SpanStatus } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { FastifyOtelInstrumentation } from '@fastify/otel';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
  ATTR_URL_QUERY,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
} from '@opentelemetry/semantic-conventions';
import { ATTR_USER_AGENT_SYNTHETIC_TYPE, USER_AGENT_SYNTHETIC_TYPE_VALUE_TEST } from '../semconv';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SYNTHETIC_USER_AGENT_PREFIX } from '../attributes';
import { setServerSpan } from '../server-span';

/** Probes that would flood traces without telling anything about the pipeline. */
const UNTRACED_PATHS: ReadonlySet<string> = new Set(['/health', '/ready']);

function pathOf(url: string | undefined): string {
  if (!url) return '';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/**
 * Names the request span `POST /v1/predict` (never the raw URL) and gives it the
 * HTTP server attributes analysis and Jaeger read, taken from what fastify has
 * already parsed: no header parsing of our own. @fastify/otel sets the method,
 * route and status code itself; `url.path` it sets with the query string, which
 * semconv keeps apart.
 */
function annotateServerSpan(span: Span, request: FastifyRequest): void {
  const route = request.routeOptions.url;
  span.updateName(route ? `${request.method} ${route}` : request.method);
  if (!span.isRecording()) return;
  const raw = request.raw;
  const url = raw.url ?? '';
  const q = url.indexOf('?');
  const userAgent = request.headers['user-agent'];
  const attributes: Attributes = {
    [ATTR_URL_PATH]: q === -1 ? url : url.slice(0, q),
    [ATTR_URL_SCHEME]: request.protocol,
    [ATTR_NETWORK_PROTOCOL_VERSION]: raw.httpVersion,
    [ATTR_SERVER_ADDRESS]: request.hostname,
  };
  if (q !== -1) attributes[ATTR_URL_QUERY] = url.slice(q + 1);
  const port = request.port ?? raw.socket?.localPort;
  if (port) attributes[ATTR_SERVER_PORT] = port;
  const client = raw.socket?.remoteAddress;
  if (client) attributes[ATTR_CLIENT_ADDRESS] = client;
  if (userAgent) {
    attributes[ATTR_USER_AGENT_ORIGINAL] = userAgent;
    if (userAgent.startsWith(SYNTHETIC_USER_AGENT_PREFIX)) attributes[ATTR_USER_AGENT_SYNTHETIC_TYPE] = USER_AGENT_SYNTHETIC_TYPE_VALUE_TEST;
  }
  span.setAttributes(attributes);
}

const kServerSpan = Symbol('mltrace server span');

type RecordedSpan = Span & { status?: SpanStatus; attributes?: Attributes };

/**
 * Hooks that run right after @fastify/otel's own (registered on the same
 * instance, later): the server span goes into the context under our key, so
 * getServerSpan() finds it below any child span; and the span's status follows
 * the semconv rule for servers (ERROR for 5xx only).
 */
function addServerSpanHooks(instance: FastifyInstance): void {
  instance.decorateRequest(kServerSpan, null);
  instance.addHook('onRequest', (request, _reply, done) => {
    const active = context.active();
    const span = trace.getSpan(active);
    if (!span) return done();
    (request as unknown as Record<symbol, Span>)[kServerSpan] = span;
    context.with(setServerSpan(active, span), done);
  });
  instance.addHook('onSend', (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: null, payload: unknown) => void) => {
    const span = (request as unknown as Record<symbol, RecordedSpan | null>)[kServerSpan];
    if (span?.isRecording()) settleStatus(span, reply.statusCode);
    done(null, payload);
  });
}

/**
 * @fastify/otel marks the span ERROR for any error a route throws, 4xx
 * validation errors included; for a server span a 4xx is the client's fault
 * and stays UNSET (the exception event stays). A 5xx gets `error.type` = the
 * status code unless the app named the error already.
 */
function settleStatus(span: RecordedSpan, statusCode: number): void {
  if (statusCode >= 500) {
    if (span.attributes?.[ATTR_ERROR_TYPE] === undefined) span.setAttribute(ATTR_ERROR_TYPE, String(statusCode));
  } else if (span.status?.code === SpanStatusCode.ERROR) {
    // The SDK's setStatus never goes back to UNSET; its span keeps the status in this public field.
    span.status = { code: SpanStatusCode.UNSET };
  }
}

/**
 * @fastify/otel as the one server span per request: instrumentation-http's
 * incoming spans are off (see createInstrumentations), so @fastify/otel finds
 * no HTTP span in the context, extracts the caller's context itself and makes
 * its request span the SERVER span. Its hook and handler child spans are off:
 * they multiply the per-request cost and tell little.
 */
class MltraceFastifyInstrumentation extends FastifyOtelInstrumentation {
  override plugin(): ReturnType<FastifyOtelInstrumentation['plugin']> {
    const base = super.plugin();
    const plugin = ((instance: FastifyInstance, opts: never, done: (err?: Error) => void) =>
      base(instance, opts, (err?: Error) => {
        if (!err) addServerSpanHooks(instance);
        done(err);
      })) as unknown as ReturnType<FastifyOtelInstrumentation['plugin']>;
    for (const key of Object.getOwnPropertySymbols(base)) (plugin as unknown as Record<symbol, unknown>)[key] = (base as unknown as Record<symbol, unknown>)[key];
    return plugin;
  }
}

export function fastifyInstrumentation(): Instrumentation {
  // registerOnInitialization: patches every fastify instance created after the preload, with no change to app code.
  return new MltraceFastifyInstrumentation({
    registerOnInitialization: true,
    instrumentHooks: false,
    instrumentHandler: false,
    // The services record each error answer themselves (service-kit's error handler), under the
    // code the caller got and with a stack for 5xx only; @fastify/otel would add every thrown
    // error, 4xx included, with its stack and fastify's internal code.
    recordExceptions: false,
    ignorePaths: (opts: { url: string }) => UNTRACED_PATHS.has(pathOf(opts.url)),
    requestHook: annotateServerSpan,
  }) as unknown as Instrumentation;
}
