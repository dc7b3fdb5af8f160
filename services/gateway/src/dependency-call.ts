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

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
]);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  kind?: unknown;
  timeout?: unknown;
  status?: unknown;
  statusCode?: unknown;
  message?: unknown;
  cause?: unknown;
}

/** Error codes of `err` and its causes (undici nests the socket error). */
function codes(err: unknown): string[] {
  const out: string[] = [];
  for (let e = err as ErrorLike | undefined, depth = 0; e && typeof e === 'object' && depth < 5; e = e.cause as ErrorLike, depth++) {
    if (typeof e.code === 'string') out.push(e.code);
    if (typeof e.name === 'string') out.push(e.name);
  }
  return out;
}

/**
 * Sorts an error thrown by a service client into what the gateway reports.
 * The clients' DependencyError carries `status` (HTTP status or undefined) and a `kind`/`timeout`
 * flag; plain undici errors carry socket codes. Both are handled so any client works.
 */
export function classify(err: unknown): { kind: Kind; status?: number; detail: string } {
  const e = (err ?? {}) as ErrorLike;
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : undefined;
  const all = codes(err);
  const message = typeof e.message === 'string' && e.message ? e.message : String(err);
  // For an HTTP answer keep the dependency's own words: "HTTP 400 INF_UNKNOWN_VERSION: Unknown model version 'v9'…".
  const detail =
    status !== undefined ? `HTTP ${status}${typeof e.code === 'string' ? ` ${e.code}` : ''}: ${message.replace(/^.*? answered \d{3}: /, '')}` : message;
  if (e.kind === 'timeout' || e.timeout === true || all.some((c) => TIMEOUT_CODES.has(c) || c === 'TimeoutError')) {
    return { kind: 'timeout', detail };
  }
  if (status !== undefined && status >= 400) {
    if (status === 503) return { kind: 'unavailable', status, detail };
    if (status === 504) return { kind: 'timeout', status, detail };
    if (status >= 500) return { kind: 'failed', status, detail };
    return { kind: 'rejected', status, detail };
  }
  if (e.kind === 'unavailable' || all.some((c) => UNAVAILABLE_CODES.has(c))) return { kind: 'unavailable', detail };
  return { kind: 'failed', detail };
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
  const timer = setTimeout(() => controller.abort(), remaining);
  try {
    return await fn(controller.signal);
  } catch (err) {
    if (controller.signal.aborted) throw tag(new GwDependencyTimeoutError(dependency, remaining, deadline.budgetMs), dependency);
    const { kind, detail } = classify(err);
    const failure: DependencyFailure =
      kind === 'timeout'
        ? new GwDependencyTimeoutError(dependency, remaining, deadline.budgetMs)
        : kind === 'unavailable'
          ? new GwDependencyUnavailableError(dependency, detail)
          : kind === 'rejected'
            ? new GwDependencyRejectedError(dependency, detail)
            : new GwDependencyFailedError(dependency, detail);
    throw tag(failure, dependency, err);
  } finally {
    clearTimeout(timer);
  }
}

function tag<E extends Error>(error: E, dependency: DependencyName, cause?: unknown): E & { dependency: DependencyName } {
  if (cause !== undefined) error.cause = cause;
  return Object.assign(error, { dependency });
}
