import type { Attributes } from '@opentelemetry/api';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_ROUTE, ATTR_URL_PATH } from '@opentelemetry/semantic-conventions';

/**
 * Names under which a starting span may be listed in operation strategies.
 * The HTTP instrumentation starts a server span named only `POST` and renames
 * it to `POST /v1/predict` once the route is known, after sampling; so besides
 * the span name we offer `METHOD route-or-path` from the attributes present at start.
 */
export function operationCandidates(spanName: string, attributes: Attributes): string[] {
  const method = attributes[ATTR_HTTP_REQUEST_METHOD];
  const route = attributes[ATTR_HTTP_ROUTE] ?? attributes[ATTR_URL_PATH];
  if (typeof method === 'string' && typeof route === 'string') {
    const http = `${method} ${route}`;
    if (http !== spanName) return [spanName, http];
  }
  return [spanName];
}
