import { context, propagation, type Context, type Span } from '@opentelemetry/api';
import { InstrumentationNodeModuleDefinition, type Instrumentation } from '@opentelemetry/instrumentation';
import { UndiciInstrumentation, type UndiciInstrumentationConfig, type UndiciRequest } from '@opentelemetry/instrumentation-undici';
import { ATTR_URL_TEMPLATE } from '../semconv';
import { isPropagationHeader } from '../propagation/composite';
import { hasUnsampledParent } from './unsampled';

/** The part of undici's request object (diagnostics channel `undici:request:create`) used here. */
interface UndiciRequestLike {
  headers: string[] | string;
}
interface RequestCreatedMessage {
  request: UndiciRequestLike;
}
interface RequestErrorMessage {
  request: UndiciRequestLike;
  error: Error & { code?: unknown };
}

/**
 * Removes propagation headers the caller set by hand and returns them, or
 * undefined when there are none (the common case: one pass, no allocation).
 * undici >= 6 keeps headers as a flat [name, value, …] array; undici 5 as a raw string.
 */
export function takeHandSetPropagationHeaders(request: UndiciRequestLike): Record<string, string> | undefined {
  let taken: Record<string, string> | undefined;
  if (Array.isArray(request.headers)) {
    const h = request.headers;
    for (let i = 0; i < h.length; i += 2) {
      const name = h[i];
      if (name !== undefined && isPropagationHeader(name)) {
        (taken ??= {})[name.toLowerCase()] = String(h[i + 1]);
      }
    }
    if (taken) {
      const kept: string[] = [];
      for (let i = 0; i < h.length; i += 2) {
        const name = h[i];
        if (name !== undefined && !isPropagationHeader(name)) kept.push(name, h[i + 1] as string);
      }
      h.length = 0;
      h.push(...kept);
    }
  } else if (typeof request.headers === 'string' && request.headers.length > 0) {
    const lines = request.headers.split('\r\n');
    const kept: string[] = [];
    for (const line of lines) {
      const colon = line.indexOf(':');
      const name = colon > 0 ? line.slice(0, colon).trim() : '';
      if (name && isPropagationHeader(name)) (taken ??= {})[name.toLowerCase()] = line.slice(colon + 1).trim();
      else kept.push(line);
    }
    if (taken) request.headers = kept.join('\r\n');
  }
  return taken;
}

function hasHeader(request: UndiciRequestLike, name: string): boolean {
  if (Array.isArray(request.headers)) {
    for (let i = 0; i < request.headers.length; i += 2) if (request.headers[i]?.toLowerCase() === name) return true;
    return false;
  }
  return request.headers.toLowerCase().includes(`${name}:`);
}

function appendHeaders(request: UndiciRequestLike, headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) {
    if (Array.isArray(request.headers)) request.headers.push(name, value);
    else request.headers += `${name}: ${value}\r\n`;
  }
}

// The base class declares its channel handlers private; this view lets the subclass wrap one.
const UndiciBase = UndiciInstrumentation as unknown as new (config?: UndiciInstrumentationConfig) => Instrumentation<UndiciInstrumentationConfig> & {
  onRequestCreated(message: RequestCreatedMessage): void;
  onError(message: RequestErrorMessage): void;
  _wrap(target: object, name: string, wrapper: (original: DispatchFn) => DispatchFn): void;
  _unwrap(target: object, name: string): void;
};

/** `dispatch(opts, handler)` of undici's dispatchers (Client, Pool, Agent … all inherit DispatcherBase's). */
type DispatchFn = (this: unknown, opts: object, handler: object) => boolean;

/** The context of the call, kept on undici's handler object (one per call, carried through every queue). */
const kCallContext = Symbol('mltrace undici call context');
type WithCallContext = { [kCallContext]?: Context };

/**
 * Wraps DispatcherBase's `dispatch` so the request is always created in the context of the call
 * that made it. undici creates its Request (and so publishes `undici:request:create`, where the
 * client span starts in the *active* context) only when a connection takes the call: a call that
 * waited in a Pool's queue was dispatched later from whichever request freed the connection, and
 * its client span (and the traceparent sent on) joined that other request's trace. undici 8
 * re-enters the caller's async scope itself; older undici (and other queueing dispatchers) do not.
 * The first dispatch of a call is always the caller's own (`pool.request()` calls it
 * synchronously): its context is kept on the handler and restored at every later dispatch of the
 * same handler. One property write per call; `context.with` only when the context differs.
 */
function keepCallContext(original: DispatchFn): DispatchFn {
  return function dispatchInCallContext(this: unknown, opts: object, handler: object): boolean {
    if (handler === null || typeof handler !== 'object') return original.call(this, opts, handler);
    const h = handler as WithCallContext;
    const called = h[kCallContext];
    if (called === undefined) {
      try {
        h[kCallContext] = context.active();
      } catch {
        // A frozen handler of the caller's own: no context kept, undici's default behaviour.
      }
      return original.call(this, opts, handler);
    }
    if (called === context.active()) return original.call(this, opts, handler);
    return context.with(called, original, this, opts, handler);
  };
}

/** DispatcherBase.prototype: the parent of Client.prototype, the class that owns `dispatch`. */
function dispatcherBaseOf(undici: { Client?: { prototype: object } }): object | undefined {
  const proto = undici.Client ? (Object.getPrototypeOf(undici.Client.prototype) as object | null) : null;
  return proto && Object.hasOwn(proto, 'dispatch') ? proto : undefined;
}

export interface MltraceUndiciConfig extends UndiciInstrumentationConfig {
  /**
   * The sampler follows the parent's decision (parentbased_*, mltrace's sampler, always_off):
   * a call made under an unsampled span then gets no client span at all, only the propagation
   * headers (the parent's traceparent, flags 00, and the baggage), so downstream follows the
   * same decision. Default false: every call goes through the sampler.
   */
  followsParentSampling?: boolean;
}

/**
 * The undici instrumentation with mltrace's fixes:
 * - a call queued by a dispatcher keeps the context it was made in (keepCallContext above);
 * - a caller that sets `traceparent` (or baggage, or the X-* headers) by hand: upstream adds its
 *   own header next to the caller's, and a request with two `traceparent` headers is rejected as
 *   malformed downstream, which orphans the downstream trace. Here the hand-set headers are taken
 *   off the request and extracted into the context the client span starts in, so the client span
 *   joins the caller's trace (as a child of the span the caller named) and the request carries
 *   exactly one `traceparent`, written by the instrumentation, pointing at that client span.
 *   Hand-set baggage is merged over the active baggage;
 * - deadlines are errors (onError);
 * - no span under an unsampled parent when the sampler follows the parent.
 */
export class MltraceUndiciInstrumentation extends UndiciBase {
  private readonly followsParent: boolean;

  constructor({ followsParentSampling = false, ...config }: MltraceUndiciConfig = {}) {
    super({ requestHook: nameClientSpanByPath, ...config });
    this.followsParent = followsParentSampling;
  }

  /** Patches the `undici` package the app loads (Node's bundled fetch has no pool queue: its Agent's pools are unbounded). */
  init(): InstrumentationNodeModuleDefinition[] {
    return [
      new InstrumentationNodeModuleDefinition(
        'undici',
        ['>=5.0.0'],
        (exports: { Client?: { prototype: object } }) => {
          const base = dispatcherBaseOf(exports);
          if (base) this._wrap(base, 'dispatch', keepCallContext);
          return exports;
        },
        (exports: { Client?: { prototype: object } } | undefined) => {
          const base = exports && dispatcherBaseOf(exports);
          if (base) this._unwrap(base, 'dispatch');
        },
      ),
    ];
  }

  /**
   * A request ended by a deadline (AbortSignal.timeout(), or an abort whose reason is a
   * `TimeoutError`) is a failure: ERROR, `error.type` = `TimeoutError`. Upstream already treats
   * every error but an `AbortError` (the caller cancelled: not an error) as a failure, but takes
   * `error.code` as `error.type`, and a DOMException's code is a number (23 for a timeout): it
   * gets the error with its name as the code instead.
   */
  override onError(message: RequestErrorMessage): void {
    const { error } = message;
    if (error && typeof error.code !== 'string' && error.name !== 'AbortError' && typeof error.name === 'string') {
      const named = Object.assign(new Error(error.message), { name: error.name, code: error.name, stack: error.stack });
      super.onError({ request: message.request, error: named });
      return;
    }
    super.onError(message);
  }

  override onRequestCreated(message: RequestCreatedMessage): void {
    const handSet = takeHandSetPropagationHeaders(message.request);
    if (!handSet) {
      if (this.followsParent && this.getConfig().enabled !== false && propagateUnsampled(message.request)) return;
      super.onRequestCreated(message);
      return;
    }
    // The global propagator (MltracePropagator) merges hand-set baggage over the active baggage.
    const parent = propagation.extract(context.active(), handSet);
    context.with(parent, () => super.onRequestCreated(message));
    // If the instrumentation skipped this request it injected nothing: give the caller's headers back.
    if (!hasHeader(message.request, 'traceparent')) appendHeaders(message.request, handSet);
  }
}

/**
 * Under an unsampled parent (with a parent-following sampler) the client span would be a
 * non-recording one anyway: skip it, and the URL parsing and attribute building upstream does
 * before asking the sampler, and send the active context on as it is. True when it did so.
 */
function propagateUnsampled(request: UndiciRequestLike): boolean {
  const active = context.active();
  if (!hasUnsampledParent(active)) return false;
  const added: Record<string, string> = {};
  propagation.inject(active, added);
  appendHeaders(request, added);
  return true;
}

/**
 * HTTP client spans are named `{method} {url.template}` when a low-cardinality template is known
 * (HTTP semantic conventions), else just `{method}`. Every call between mltrace's services goes
 * to a fixed route (`/v1/features`, `/v1/infer`, …), so the path is that template: a gateway's
 * four client spans then read `POST /v1/features`, `POST /v1/infer`, … instead of four `POST`s
 * that analysis could not tell apart. A caller whose paths carry ids should not use this hook.
 */
export function nameClientSpanByPath(span: Span, request: UndiciRequest): void {
  const q = request.path.indexOf('?');
  const template = q === -1 ? request.path : request.path.slice(0, q);
  span.setAttribute(ATTR_URL_TEMPLATE, template);
  span.updateName(`${request.method} ${template}`);
}
