/**
 * Typed client for the gateway (load generator, demo, tests). Imports only undici and the
 * contract types, never server code.
 */
import { Pool, type Dispatcher } from 'undici';
import type { GatewayErrorBody, PredictRequest, PredictResponse } from './types';

export type { GatewayErrorBody, GatewayPrediction, PredictRequest, PredictResponse } from './types';

export interface GatewayClientOptions {
  /** e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  /** Per-call limit when the caller's signal does not end the call first; default 5000. */
  timeoutMs?: number;
  /** A dispatcher to share (not closed by `close()`); default: a keep-alive Pool. */
  pool?: Dispatcher;
  /** Connections of the default pool; default 64. */
  connections?: number;
}

export interface PredictOptions {
  signal?: AbortSignal;
  /** W3C baggage members (e.g. `{ model_version: 'v2', customer_segment: 'enterprise' }`) or a ready header value. */
  baggage?: Record<string, string> | string;
  /** A W3C `traceparent` to continue; without one the gateway starts the trace. */
  traceparent?: string;
  /** Any other request headers. */
  headers?: Record<string, string>;
}

/** The answer to one call, whatever its status. */
export interface PredictResult {
  statusCode: number;
  body: PredictResponse | GatewayErrorBody;
  /** From the `x-trace-id` header. */
  traceId?: string;
  traceresponse?: string;
}

export type GatewayErrorKind = 'timeout' | 'unavailable' | 'http' | 'aborted';

export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  constructor(
    readonly kind: GatewayErrorKind,
    message: string,
    readonly status?: number,
    /** The gateway's error code, e.g. GW_DEPENDENCY_UNAVAILABLE. */
    readonly code?: string,
    readonly traceId?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** W3C baggage header value; values are percent-encoded as the spec requires. */
export function encodeBaggage(members: Record<string, string>): string {
  return Object.entries(members)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join(',');
}

export function isPredictResponse(body: PredictResult['body']): body is PredictResponse {
  return Array.isArray((body as PredictResponse).predictions);
}

export class GatewayClient {
  private readonly origin: string;
  private readonly timeoutMs: number;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;

  constructor(opts: GatewayClientOptions) {
    this.origin = new URL(opts.baseUrl).origin;
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.ownsDispatcher = !opts.pool;
    this.dispatcher = opts.pool ?? new Pool(this.origin, { connections: opts.connections ?? 64, keepAliveTimeout: 10_000 });
  }

  /** `POST /v1/predict`, resolving with the status and body even for 4xx/5xx; rejects only when there is no answer. */
  async predictRaw(req: PredictRequest | Record<string, unknown>, opts: PredictOptions = {}): Promise<PredictResult> {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers };
    if (opts.baggage) headers.baggage = typeof opts.baggage === 'string' ? opts.baggage : encodeBaggage(opts.baggage);
    if (opts.traceparent) headers.traceparent = opts.traceparent;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    try {
      const res = await this.dispatcher.request({ origin: this.origin, path: '/v1/predict', method: 'POST', headers, body: JSON.stringify(req), signal });
      const body = (await res.body.json()) as PredictResult['body'];
      return { statusCode: res.statusCode, body, traceId: header(res.headers['x-trace-id']), traceresponse: header(res.headers.traceresponse) };
    } catch (err) {
      if (timeout.aborted) throw new GatewayError('timeout', `gateway did not answer within ${this.timeoutMs} ms`, undefined, undefined, undefined, { cause: err });
      if (opts.signal?.aborted) throw new GatewayError('aborted', 'request aborted by the caller', undefined, undefined, undefined, { cause: err });
      throw new GatewayError('unavailable', `gateway at ${this.origin} unreachable: ${(err as Error).message}`, undefined, undefined, undefined, { cause: err });
    }
  }

  /** `POST /v1/predict`; a non-2xx answer rejects with a GatewayError carrying status, code and trace id. */
  async predict(req: PredictRequest, opts: PredictOptions = {}): Promise<PredictResponse> {
    const res = await this.predictRaw(req, opts);
    if (res.statusCode < 300 && isPredictResponse(res.body)) return res.body;
    const e = res.body as Partial<GatewayErrorBody>;
    const kind: GatewayErrorKind = res.statusCode === 503 ? 'unavailable' : res.statusCode === 504 ? 'timeout' : 'http';
    throw new GatewayError(kind, `gateway answered ${res.statusCode}: ${e.message ?? 'no message'}`, res.statusCode, e.code, res.traceId);
  }

  /** `GET /health`: true when the gateway process answers. */
  async health(opts: { signal?: AbortSignal } = {}): Promise<boolean> {
    return this.probe('/health', opts.signal);
  }

  /** `GET /ready`: true when the gateway and its three dependencies are ready. */
  async ready(opts: { signal?: AbortSignal } = {}): Promise<boolean> {
    return this.probe('/ready', opts.signal);
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  private async probe(path: string, signal?: AbortSignal): Promise<boolean> {
    try {
      const res = await this.dispatcher.request({ origin: this.origin, path, method: 'GET', signal: signal ?? AbortSignal.timeout(this.timeoutMs) });
      await res.body.dump();
      return res.statusCode < 300;
    } catch {
      return false;
    }
  }
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
