import { context, propagation } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { UndiciInstrumentation, type UndiciInstrumentationConfig, type UndiciRequest } from '@opentelemetry/instrumentation-undici';
import { ATTR_URL_TEMPLATE } from '../semconv';
import type { Span } from '@opentelemetry/api';
import { isPropagationHeader } from '../propagation/composite';

/** The part of undici's request object (diagnostics channel `undici:request:create`) used here. */
interface UndiciRequestLike {
  headers: string[] | string;
}
interface RequestCreatedMessage {
  request: UndiciRequestLike;
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

function restoreHeaders(request: UndiciRequestLike, headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) {
    if (Array.isArray(request.headers)) request.headers.push(name, value);
    else request.headers += `${name}: ${value}\r\n`;
  }
}

// The base class declares its channel handlers private; this view lets the subclass wrap one.
const UndiciBase = UndiciInstrumentation as unknown as new (config?: UndiciInstrumentationConfig) => Instrumentation<UndiciInstrumentationConfig> & {
  onRequestCreated(message: RequestCreatedMessage): void;
};

/**
 * The undici instrumentation, fixed for callers that set `traceparent` (or
 * baggage, or the X-* headers) by hand: upstream adds its own header next to
 * the caller's, and a request with two `traceparent` headers is rejected as
 * malformed downstream, which orphans the downstream trace.
 *
 * Here the hand-set headers are taken off the request and extracted into the
 * context the client span starts in, so the client span joins the caller's
 * trace (as a child of the span the caller named) and the request carries
 * exactly one `traceparent`, written by the instrumentation, pointing at that
 * client span. Hand-set baggage is merged
 * over the active baggage.
 */
export class MltraceUndiciInstrumentation extends UndiciBase {
  constructor(config: UndiciInstrumentationConfig = {}) {
    super({ requestHook: nameClientSpanByPath, ...config });
  }

  override onRequestCreated(message: RequestCreatedMessage): void {
    const handSet = takeHandSetPropagationHeaders(message.request);
    if (!handSet) {
      super.onRequestCreated(message);
      return;
    }
    // The global propagator (MltracePropagator) merges hand-set baggage over the active baggage.
    const parent = propagation.extract(context.active(), handSet);
    context.with(parent, () => super.onRequestCreated(message));
    // If the instrumentation skipped this request it injected nothing: give the caller's headers back.
    if (!hasHeader(message.request, 'traceparent')) restoreHeaders(message.request, handSet);
  }
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
