import { Pool, type Dispatcher } from 'undici';
import { Admission, AdmissionRefused } from './admission';
import { DependencyError, type DependencyErrorKind } from './dependency-error';

/** What every typed service client takes. */
export interface ServiceClientOptions {
  /** e.g. http://127.0.0.1:8081; a path prefix is kept. */
  baseUrl: string;
  /** Per-call limit when the caller's signal does not end the call first; default 2000. */
  timeoutMs?: number;
  /** A dispatcher to share (not closed by `close()`); default: a keep-alive Pool of `connections`. */
  pool?: Dispatcher;
  /** Connections of the default pool, and the calls this client has in flight at most; default 32. */
  connections?: number;
  /**
   * Calls that may wait for a free connection; one more fails at once (kind `unavailable`, code
   * `CLIENT_POOL_SATURATED`). Default: 4 × connections.
   */
  maxQueued?: number;
  /**
   * How long a call waits for a free connection before it fails the same way; default 200.
   * The wait counts against the call's timeout too.
   */
  queueTimeoutMs?: number;
}

export interface JsonClientOptions extends ServiceClientOptions {
  /** The service called, as error messages and `DependencyError.dependency` name it. */
  dependency: string;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** More request headers, e.g. `baggage` or `traceparent`. */
  headers?: Record<string, string>;
}

/** An answer of any status with a JSON body, as `request()` resolves it. */
export interface JsonResponse<T = unknown> {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
}

/** The `{code, message}` members of the services' JSON error bodies. */
interface ErrorBodyLike {
  code?: unknown;
  message?: unknown;
}

const DEFAULT_TIMEOUT_MS = 2000;
const DEFAULT_CONNECTIONS = 32;
const DEFAULT_QUEUE_TIMEOUT_MS = 200;
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);

/**
 * JSON over a keep-alive undici pool, every call bounded by `timeoutMs` (or the
 * caller's signal, whichever ends first), every failure a DependencyError
 * naming the service. The typed clients wrap one of these with their routes.
 */
export class JsonClient {
  readonly dependency: string;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly timeoutMs: number;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly admission: Admission;

  constructor(opts: JsonClientOptions) {
    const url = new URL(opts.baseUrl);
    this.dependency = opts.dependency;
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.ownsDispatcher = !opts.pool;
    const connections = opts.connections ?? DEFAULT_CONNECTIONS;
    this.dispatcher = opts.pool ?? new Pool(this.origin, { connections, keepAliveTimeout: 10_000 });
    this.admission = new Admission({
      slots: connections,
      maxQueued: opts.maxQueued ?? 4 * connections,
      queueTimeoutMs: opts.queueTimeoutMs ?? DEFAULT_QUEUE_TIMEOUT_MS,
    });
  }

  /** Calls in flight and calls waiting for a connection. */
  get load(): { inFlight: number; queued: number } {
    return this.admission.stats;
  }

  post<T>(path: string, body: unknown, opts: CallOptions = {}): Promise<T> {
    return this.call<T>('POST', path, body, opts);
  }

  get<T>(path: string, opts: CallOptions = {}): Promise<T> {
    return this.call<T>('GET', path, undefined, opts);
  }

  /** True when `GET path` answers 2xx with JSON; never throws. */
  async ready(opts: CallOptions = {}, path = '/ready'): Promise<boolean> {
    try {
      await this.get(path, opts);
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  /**
   * One call that resolves with any answer that has a JSON body, 4xx and 5xx
   * included (for a caller that reports error answers rather than failing on
   * them); rejects with a DependencyError only when there is no such answer.
   */
  async request<T = unknown>(method: 'GET' | 'POST', path: string, body?: unknown, opts: CallOptions = {}): Promise<JsonResponse<T>> {
    // Started before the wait for a connection: that wait counts against the call's time too.
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    const what = `${this.dependency} ${method} ${path}`;
    let release: () => void;
    try {
      release = await this.admission.acquire(signal);
    } catch (err) {
      throw this.failure(err, timeout, what);
    }
    try {
      let res: Dispatcher.ResponseData;
      try {
        res = await this.dispatcher.request({
          origin: this.origin,
          path: this.basePath + path,
          method,
          headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...opts.headers },
          body: body === undefined ? null : JSON.stringify(body),
          signal,
        });
      } catch (err) {
        throw this.failure(err, timeout, what);
      }
      let payload: unknown;
      try {
        payload = await res.body.json();
      } catch (err) {
        if (signal.aborted) throw this.failure(err, timeout, what);
        throw new DependencyError(this.dependency, 'http', `${what} answered ${res.statusCode} without a JSON body`, res.statusCode, undefined, { cause: err });
      }
      return { statusCode: res.statusCode, headers: res.headers, body: payload as T };
    } finally {
      release();
    }
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body: unknown, opts: CallOptions): Promise<T> {
    const res = await this.request<T>(method, path, body, opts);
    if (res.statusCode >= 400) throw this.httpError(res, `${this.dependency} ${method} ${path}`);
    return res.body;
  }

  /** The DependencyError for an error answer: its status, and the code and message of its JSON error body. */
  httpError(res: JsonResponse, what: string = this.dependency): DependencyError {
    const e = (res.body ?? {}) as ErrorBodyLike;
    const kind: DependencyErrorKind = res.statusCode === 503 ? 'unavailable' : res.statusCode === 504 ? 'timeout' : 'http';
    const message = typeof e.message === 'string' ? e.message : 'no message';
    return new DependencyError(this.dependency, kind, `${what} answered ${res.statusCode}: ${message}`, res.statusCode, typeof e.code === 'string' ? e.code : undefined);
  }

  /**
   * Messages name the dependency and the socket code, never its address: callers pass them on
   * (the gateway's are public). The address stays in `cause` for logs and spans.
   */
  private failure(err: unknown, timeout: AbortSignal, what: string): DependencyError {
    if (err instanceof AdmissionRefused) {
      return new DependencyError(this.dependency, 'unavailable', `${what}: no free connection (${err.message})`, undefined, err.code, { cause: err });
    }
    const socketCode = errorCode(err);
    if (timeout.aborted || (socketCode && TIMEOUT_CODES.has(socketCode))) {
      return new DependencyError(this.dependency, 'timeout', `${what} did not answer within ${this.timeoutMs} ms`, undefined, socketCode, { cause: err });
    }
    if (socketCode && UNAVAILABLE_CODES.has(socketCode)) {
      return new DependencyError(this.dependency, 'unavailable', `${what} unreachable: ${socketCode}`, undefined, socketCode, { cause: err });
    }
    const message = err instanceof Error ? err.message : String(err);
    const kind: DependencyErrorKind = (err as { name?: unknown }).name === 'AbortError' ? 'aborted' : 'unavailable';
    return new DependencyError(this.dependency, kind, `${what} failed: ${message}`, undefined, socketCode, { cause: err });
  }
}

/** The first `code` along the cause chain (undici nests the socket error). */
function errorCode(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && typeof e === 'object' && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string') return e.code;
  }
  return undefined;
}
