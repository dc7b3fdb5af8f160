/** What a service's typed client needs: undici and nothing of fastify or tracing. */
export { JsonClient } from './json-client';
export { ServiceClient } from './service-client';
export type { JsonClientOptions, ServiceClientOptions, CallOptions, JsonResponse } from './json-client';
export { DependencyError } from './dependency-error';
export type { DependencyErrorKind } from './dependency-error';
export type { ErrorBody } from './error-body';
