import { DependencyError } from '@mltrace/service-kit/client';
import {
  GwDependencyFailedError,
  GwDependencyRejectedError,
  GwDependencyTimeoutError,
  GwDependencyUnavailableError,
} from './errors';
import type { DependencyName } from './types';

/** The overall budget of one request; each downstream call gets only what is left of it. */
export class Deadline {
  private readonly end: number;
  constructor(readonly budgetMs: number) {
    this.end = Date.now() + budgetMs;
  }
  remaining(): number {
    return Math.max(0, this.end - Date.now());
  }
}

type Kind = 'timeout' | 'unavailable' | 'rejected' | 'failed';

/**
 * Sorts an error thrown by a service client into what the gateway reports: an HTTP answer by
 * its status (4xx: the dependency rejected our request; 503/504: unavailable/timeout; other 5xx:
 * failed), no answer by the client's `kind`. Anything but a DependencyError is a failure.
 * `reason` is public: the dependency's code and status, or the socket code. A rejection keeps the
 * dependency's message too, since it is about the caller's input ("Unknown model version 'v9'…").
 */
export function classify(err: unknown): { kind: Kind; status?: number; reason: string } {
  if (!(err instanceof DependencyError)) return { kind: 'failed', reason: 'unexpected error' };
  const { status, code } = err;
  if (status === undefined) {
    return { kind: err.kind === 'timeout' || err.kind === 'unavailable' ? err.kind : 'failed', reason: code ?? `no answer: ${err.kind}` };
  }
  const answered = `HTTP ${status}${code ? ` ${code}` : ''}`;
  if (status === 503) return { kind: 'unavailable', status, reason: answered };
  if (status === 504) return { kind: 'timeout', status, reason: answered };
  if (status >= 400 && status < 500) return { kind: 'rejected', status, reason: `${answered}: ${err.message.replace(/^.*? answered \d{3}:? ?/, '')}` };
  return { kind: 'failed', status, reason: answered };
}

export type DependencyFailure =
  | InstanceType<typeof GwDependencyTimeoutError>
  | InstanceType<typeof GwDependencyUnavailableError>
  | InstanceType<typeof GwDependencyFailedError>
  | InstanceType<typeof GwDependencyRejectedError>;

/**
 * Runs one downstream call with the time left of `deadline` as its timeout (no retries: a retry
 * inside an already-late request only adds load to a struggling dependency) and turns any failure
 * into a gateway error that names the dependency.
 */
export async function callDependency<T>(
  dependency: DependencyName,
  deadline: Deadline,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const remaining = deadline.remaining();
  if (remaining <= 0) throw tag(new GwDependencyTimeoutError(dependency, 0, deadline.budgetMs), dependency);
  const controller = new AbortController();
  // A TimeoutError reason, not a bare abort: the call's client span records a deadline as an error (ERROR, error.type TimeoutError), a cancel would not be.
  const timer = setTimeout(() => controller.abort(new DOMException(`${dependency}: request deadline reached`, 'TimeoutError')), remaining);
  try {
    return await fn(controller.signal);
  } catch (err) {
    if (controller.signal.aborted) throw tag(new GwDependencyTimeoutError(dependency, remaining, deadline.budgetMs), dependency);
    const { kind, reason } = classify(err);
    const failure: DependencyFailure =
      kind === 'timeout'
        ? new GwDependencyTimeoutError(dependency, remaining, deadline.budgetMs)
        : kind === 'unavailable'
          ? new GwDependencyUnavailableError(dependency, reason)
          : kind === 'rejected'
            ? new GwDependencyRejectedError(dependency, reason)
            : new GwDependencyFailedError(dependency, reason);
    throw tag(failure, dependency, err);
  } finally {
    clearTimeout(timer);
  }
}

function tag<E extends Error>(error: E, dependency: DependencyName, cause?: unknown): E & { dependency: DependencyName } {
  if (cause !== undefined) error.cause = cause;
  return Object.assign(error, { dependency });
}
