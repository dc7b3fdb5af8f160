/** Why starting or running the local system failed; `code` is stable for callers and tests. */
export type StackErrorCode =
  /** A service's dist/src/server.js is missing. */
  | 'STACK_NOT_BUILT'
  /** A service process exited while starting. */
  | 'STACK_SERVICE_EXITED'
  /** A service did not answer /ready (or report its port) in time. */
  | 'STACK_NOT_READY'
  /** Seeding the private Redis failed. */
  | 'STACK_SEED_FAILED'
  /** A private redis-server could not be started. */
  | 'STACK_REDIS_FAILED'
  /** `ports: 'auto'` with a LOG_LEVEL that hides the "Server listening at" line. */
  | 'STACK_BAD_OPTIONS'
  /** The caller's AbortSignal fired during start-up; whatever had started was stopped. */
  | 'STACK_ABORTED';

export class StackError extends Error {
  override readonly name = 'StackError';

  constructor(
    readonly code: StackErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
