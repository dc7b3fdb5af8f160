/** How a call failed: no answer in time, could not connect / 503, an HTTP error answer, or the caller aborted. */
export type DependencyErrorKind = 'timeout' | 'unavailable' | 'http' | 'aborted';

/** A call to another service that did not produce its answer; `dependency` names that service. */
export class DependencyError extends Error {
  override readonly name = 'DependencyError';
  constructor(
    readonly dependency: string,
    readonly kind: DependencyErrorKind,
    message: string,
    /** HTTP status of the answer, when there was one. */
    readonly status?: number,
    /** The service's error code (e.g. FST_REDIS_UNAVAILABLE) or the socket error code (e.g. ECONNREFUSED). */
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get timeout(): boolean {
    return this.kind === 'timeout';
  }
}
