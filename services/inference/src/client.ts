/**
 * Typed client for the inference service, for its callers (the gateway).
 * Imports only undici and the contract types, never server code.
 */
import { Pool, type Dispatcher } from 'undici';
import type { ErrorBody, InferRequest, InferResponse } from './types';

export type { InferRequest, InferResponse, Prediction, ErrorBody } from './types';

/** How a call failed: no answer in time, could not connect / 503, an HTTP error answer, or the caller aborted. */
export type DependencyErrorKind = 'timeout' | 'unavailable' | 'http' | 'aborted';

export class DependencyError extends Error {
  override readonly name = 'DependencyError';
  constructor(
    readonly dependency: string,
    readonly kind: DependencyErrorKind,
    message: string,
    /** HTTP status of the answer, when there was one. */
    readonly status?: number,
    /** The service's error code (e.g. INF_UNKNOWN_MODEL_VERSION) or the socket error code. */
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get timeout(): boolean {
    return this.kind === 'timeout';
  }
}

export interface InferenceClientOptions {
  /** e.g. http://127.0.0.1:8082 */
  baseUrl: string;
  /** Per-call limit when the caller's signal does not end the call first; default 2000. */
  timeoutMs?: number;
  /** A dispatcher to share (not closed by `close()`); default: a keep-alive Pool of 32 connections. */
  pool?: Dispatcher;
}

export interface CallOptions {
  signal?: AbortSignal;
}

const DEPENDENCY = 'inference';
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);

export class InferenceClient {
  private readonly origin: string;
  private readonly basePath: string;
  private readonly timeoutMs: number;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;

  constructor(opts: InferenceClientOptions) {
    const url = new URL(opts.baseUrl);
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.ownsDispatcher = !opts.pool;
    this.dispatcher = opts.pool ?? new Pool(this.origin, { connections: 32, keepAliveTimeout: 10_000 });
  }

  /** `POST /v1/infer`: class, probabilities and confidence per row. */
  infer(req: InferRequest, opts: CallOptions = {}): Promise<InferResponse> {
    return this.call<InferResponse>('POST', '/v1/infer', req, opts);
  }

  /** `GET /ready`: true once every model version is loaded. */
  async ready(opts: CallOptions = {}): Promise<boolean> {
    try {
      await this.call('GET', '/ready', undefined, opts);
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body: unknown, opts: CallOptions): Promise<T> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    const what = `${method} ${path}`;
    let res: Dispatcher.ResponseData;
    let payload: unknown;
    try {
      res = await this.dispatcher.request({
        origin: this.origin,
        path: this.basePath + path,
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? null : JSON.stringify(body),
        signal,
      });
    } catch (err) {
      throw this.failure(err, timeout, what);
    }
    try {
      payload = await res.body.json();
    } catch (err) {
      if (signal.aborted) throw this.failure(err, timeout, what);
      throw new DependencyError(DEPENDENCY, 'http', `${DEPENDENCY} ${what} answered ${res.statusCode} without a JSON body`, res.statusCode, undefined, { cause: err });
    }
    if (res.statusCode >= 400) {
      const e = (payload ?? {}) as Partial<ErrorBody>;
      const kind: DependencyErrorKind = res.statusCode === 503 ? 'unavailable' : res.statusCode === 504 ? 'timeout' : 'http';
      throw new DependencyError(DEPENDENCY, kind, `${DEPENDENCY} ${what} answered ${res.statusCode}: ${e.message ?? 'no message'}`, res.statusCode, e.code);
    }
    return payload as T;
  }

  private failure(err: unknown, timeout: AbortSignal, what: string): DependencyError {
    const socketCode = errorCode(err);
    if (timeout.aborted || (socketCode && TIMEOUT_CODES.has(socketCode))) {
      return new DependencyError(DEPENDENCY, 'timeout', `${DEPENDENCY} ${what} did not answer within ${this.timeoutMs} ms`, undefined, socketCode, { cause: err });
    }
    if (socketCode && UNAVAILABLE_CODES.has(socketCode)) {
      return new DependencyError(DEPENDENCY, 'unavailable', `${DEPENDENCY} ${what} unreachable at ${this.origin}: ${socketCode}`, undefined, socketCode, { cause: err });
    }
    const message = err instanceof Error ? err.message : String(err);
    const kind: DependencyErrorKind = (err as { name?: unknown }).name === 'AbortError' ? 'aborted' : 'unavailable';
    return new DependencyError(DEPENDENCY, kind, `${DEPENDENCY} ${what} failed: ${message}`, undefined, socketCode, { cause: err });
  }
}

/** The first `code` along the cause chain (undici nests the socket error). */
function errorCode(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && typeof e === 'object' && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string') return e.code;
  }
  return undefined;
}
