import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type SpanStatus,
} from '@opentelemetry/api';
import { InstrumentationBase, type Instrumentation, type InstrumentationConfig } from '@opentelemetry/instrumentation';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
  ATTR_URL_QUERY,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
} from '@opentelemetry/semantic-conventions';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { ATTR_USER_AGENT_SYNTHETIC_TYPE, USER_AGENT_SYNTHETIC_TYPE_VALUE_TEST } from '../semconv';
import { SYNTHETIC_USER_AGENT_PREFIX } from '../attributes';
import { setServerSpan } from '../server-span';
import { hasUnsampledParent } from './unsampled';

/** The instrumentation scope of the server spans. */
export const FASTIFY_SCOPE = '@mltrace/tracing/fastify';
const VERSION = '0.1.0';
/** Fastify publishes every new instance here (fastify >= 4.?), before any route is added. */
const INITIALIZATION_CHANNEL = 'fastify.initialization';

/** Probes that would flood traces without telling anything about the pipeline. */
const UNTRACED_PATHS: ReadonlySet<string> = new Set(['/health', '/ready']);

export interface FastifyServerSpanConfig extends InstrumentationConfig {
  /** Record each error a route throws as an `exception` event on the server span (default true). */
  recordExceptions?: boolean;
  /** See MltraceUndiciConfig.followsParentSampling: no span under an unsampled remote parent. */
  followsParentSampling?: boolean;
}

type RecordedSpan = Span & { status?: SpanStatus; attributes?: Attributes };
const kSpan = Symbol('mltrace server span');
const kError = Symbol('mltrace server error');
type WithSpan = FastifyRequest & { [kSpan]: RecordedSpan | null; [kError]: string | null };

/**
 * The HTTP attributes analysis and Jaeger read, from what fastify has already parsed: no header
 * parsing of our own. Only for recorded spans: an unsampled request pays for none of it.
 */
function requestAttributes(request: FastifyRequest, route: string | undefined): Attributes {
  const raw = request.raw;
  const url = raw.url ?? '';
  const q = url.indexOf('?');
  const attributes: Attributes = {
    [ATTR_HTTP_REQUEST_METHOD]: request.method,
    [ATTR_URL_PATH]: q === -1 ? url : url.slice(0, q),
    [ATTR_URL_SCHEME]: request.protocol,
    [ATTR_NETWORK_PROTOCOL_VERSION]: raw.httpVersion,
    [ATTR_SERVER_ADDRESS]: request.hostname,
  };
  if (route) attributes[ATTR_HTTP_ROUTE] = route;
  if (q !== -1) attributes[ATTR_URL_QUERY] = url.slice(q + 1);
  const port = request.port ?? raw.socket?.localPort;
  if (port) attributes[ATTR_SERVER_PORT] = port;
  const client = raw.socket?.remoteAddress;
  if (client) attributes[ATTR_CLIENT_ADDRESS] = client;
  const userAgent = request.headers['user-agent'];
  if (userAgent) {
    attributes[ATTR_USER_AGENT_ORIGINAL] = userAgent;
    if (userAgent.startsWith(SYNTHETIC_USER_AGENT_PREFIX)) attributes[ATTR_USER_AGENT_SYNTHETIC_TYPE] = USER_AGENT_SYNTHETIC_TYPE_VALUE_TEST;
  }
  return attributes;
}

/**
 * The channel subscriber of each instrumentation instance. Kept outside the class: the base
 * constructor already calls enable(), before a subclass's own fields would be initialized.
 */
const subscribers = new WeakMap<FastifyServerSpanInstrumentation, (message: unknown) => void>();

/**
 * The SERVER span of every request, from four fastify hooks and nothing else:
 * - onRequest (after routing): the caller's context is extracted from the headers, the span is
 *   started named `<METHOD> <route>` (`POST` alone when no route matched) and made active, and
 *   kept as the request's server span (getServerSpan()). Under an unsampled remote parent, with a
 *   parent-following sampler, no span is started at all: the extracted context goes on as it is.
 * - onError: the thrown error as an `exception` event (unless recordExceptions is false).
 * - onResponse (the response is written) and onRequestAbort (the client went away): the status
 *   code and the semconv server status rule (ERROR and `error.type` for 5xx only, UNSET for 4xx
 *   even when a route threw), then the span ends.
 *
 * It replaces @fastify/otel, which did the same with six hooks per request plus per-route hook
 * wrapping, a span created for every request and attributes built before the sampler was asked
 * (measured in packages/overhead-lab/README.md). /health and /ready are not traced.
 */
export class FastifyServerSpanInstrumentation extends InstrumentationBase<FastifyServerSpanConfig> {
  constructor(config: FastifyServerSpanConfig = {}) {
    super(FASTIFY_SCOPE, VERSION, config);
  }

  protected init(): [] {
    return [];
  }

  override enable(): void {
    super.enable();
    if (subscribers.has(this)) return;
    const onInitialization = (message: unknown): void => {
      const fastify = (message as { fastify?: FastifyInstance }).fastify;
      if (fastify) fastify.register(this.plugin());
    };
    subscribers.set(this, onInitialization);
    subscribe(INITIALIZATION_CHANNEL, onInitialization);
  }

  override disable(): void {
    super.disable();
    const onInitialization = subscribers.get(this);
    if (!onInitialization) return;
    subscribers.delete(this);
    unsubscribe(INITIALIZATION_CHANNEL, onInitialization);
  }

  /** The plugin registered on each instance; skip-override puts its hooks on the instance itself, so they apply to every route. */
  plugin(): (instance: FastifyInstance, opts: unknown, done: (err?: Error) => void) => void {
    const plugin = (instance: FastifyInstance, _opts: unknown, done: (err?: Error) => void): void => {
      this.addHooks(instance);
      done();
    };
    Object.assign(plugin, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: FASTIFY_SCOPE });
    return plugin;
  }

  private addHooks(instance: FastifyInstance): void {
    const config = this.getConfig();
    const followsParent = config.followsParentSampling === true;
    const recordExceptions = config.recordExceptions !== false;
    const tracer = this.tracer;
    // Declared up front so every request object keeps one shape (fastify's hot paths stay monomorphic).
    instance.decorateRequest(kSpan, null);
    instance.decorateRequest(kError, null);

    instance.addHook('onRequest', (req, _reply, done) => {
      const request = req as WithSpan;
      // Routing is done by onRequest: the matched route, not the raw URL, says whether it is /health or /ready.
      const route = request.routeOptions.url;
      if (this.getConfig().enabled === false || (route !== undefined && UNTRACED_PATHS.has(route))) return done();
      const parent = propagation.extract(context.active(), request.headers);
      if (followsParent && hasUnsampledParent(parent)) {
        context.with(parent, done);
        return;
      }
      const span = tracer.startSpan(route ? `${request.method} ${route}` : request.method, { kind: SpanKind.SERVER }, parent) as RecordedSpan;
      if (span.isRecording()) span.setAttributes(requestAttributes(request, route));
      request[kSpan] = span;
      const active: Context = setServerSpan(trace.setSpan(parent, span), span);
      context.with(active, done);
    });

    instance.addHook('onError', (req, _reply, error: FastifyError, done) => {
      const request = req as WithSpan;
      const span = request[kSpan];
      if (span?.isRecording()) {
        request[kError] = error.message;
        if (recordExceptions) span.recordException(error);
      }
      done();
    });

    /** Ends the request's span once: with the status answered, or none when the client went away first. */
    const finish = (request: WithSpan, statusCode: number | undefined): void => {
      const span = request[kSpan];
      if (!span) return;
      request[kSpan] = null;
      if (span.isRecording()) settleStatus(span, statusCode, request[kError] ?? undefined);
      span.end();
    };
    instance.addHook('onResponse', (req, reply, done) => {
      finish(req as WithSpan, reply.statusCode);
      done();
    });
    instance.addHook('onRequestAbort', (req, done) => {
      finish(req as WithSpan, undefined);
      done();
    });
  }
}

/**
 * The semconv rule for server spans: ERROR for 5xx only (with `error.type` = the status code
 * unless the app named the error already); a 4xx is the client's fault and stays UNSET. A request
 * the client abandoned before the answer gets `error.type` = `request_aborted`, status UNSET.
 */
function settleStatus(span: RecordedSpan, statusCode: number | undefined, errorMessage: string | undefined): void {
  if (statusCode === undefined) {
    if (span.attributes?.[ATTR_ERROR_TYPE] === undefined) span.setAttribute(ATTR_ERROR_TYPE, 'request_aborted');
    return;
  }
  span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, statusCode);
  if (statusCode >= 500) {
    span.setStatus(errorMessage === undefined ? { code: SpanStatusCode.ERROR } : { code: SpanStatusCode.ERROR, message: errorMessage });
    if (span.attributes?.[ATTR_ERROR_TYPE] === undefined) span.setAttribute(ATTR_ERROR_TYPE, String(statusCode));
  }
}

export function fastifyInstrumentation(followsParentSampling: boolean): Instrumentation {
  // The services record each error answer themselves (service-kit's error handler), under the
  // code the caller got and with a stack for 5xx only: no exception event of the hook's own.
  return new FastifyServerSpanInstrumentation({ followsParentSampling, recordExceptions: false });
}
