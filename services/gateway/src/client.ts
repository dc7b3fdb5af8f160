/**
 * Typed client for the gateway (load generator, demo, tests). Imports only service-kit's client
 * (undici) and the contract types, never server code.
 */
import { DependencyError, JsonClient, type JsonResponse } from '@mltrace/service-kit/client';
import type { Dispatcher } from 'undici';
import type { ErrorBody, PredictRequest, PredictResponse } from './types';

export type { ErrorBody, GatewayPrediction, PredictRequest, PredictResponse } from './types';

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
  body: PredictResponse | ErrorBody;
  /** From the `x-trace-id` header. */
  traceId?: string;
  traceresponse?: string;
}

export type GatewayErrorKind = DependencyError['kind'];

export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  constructor(
    readonly kind: GatewayErrorKind,
    message: string,
    readonly status?: number,
    /** The gateway's error code, e.g. GW_DEPENDENCY_UNAVAILABLE (or a socket code such as ECONNREFUSED). */
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

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_CONNECTIONS = 64;

export class GatewayClient {
  private readonly http: JsonClient;

  constructor(opts: GatewayClientOptions) {
    this.http = new JsonClient({
      dependency: 'gateway',
      baseUrl: opts.baseUrl,
      timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      connections: opts.connections ?? DEFAULT_CONNECTIONS,
      ...(opts.pool ? { pool: opts.pool } : {}),
    });
  }

  /** `POST /v1/predict`, resolving with the status and body even for 4xx/5xx; rejects only when there is no answer. */
  async predictRaw(req: PredictRequest | Record<string, unknown>, opts: PredictOptions = {}): Promise<PredictResult> {
    const res = await this.send(req, opts);
    return { statusCode: res.statusCode, body: res.body, traceId: header(res.headers['x-trace-id']), traceresponse: header(res.headers.traceresponse) };
  }

  /** `POST /v1/predict`; a non-2xx answer rejects with a GatewayError carrying status, code and trace id. */
  async predict(req: PredictRequest, opts: PredictOptions = {}): Promise<PredictResponse> {
    const res = await this.send(req, opts);
    if (res.statusCode < 300 && isPredictResponse(res.body)) return res.body;
    throw gatewayError(this.http.httpError(res, 'gateway'), header(res.headers['x-trace-id']));
  }

  /** `GET /health`: true when the gateway process answers. */
  health(opts: { signal?: AbortSignal } = {}): Promise<boolean> {
    return this.http.ready(opts, '/health');
  }

  /** `GET /ready`: true when the gateway and its three dependencies are ready. */
  ready(opts: { signal?: AbortSignal } = {}): Promise<boolean> {
    return this.http.ready(opts);
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private async send(req: unknown, opts: PredictOptions): Promise<JsonResponse<PredictResponse | ErrorBody>> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.baggage) headers.baggage = typeof opts.baggage === 'string' ? opts.baggage : encodeBaggage(opts.baggage);
    if (opts.traceparent) headers.traceparent = opts.traceparent;
    try {
      return await this.http.request<PredictResponse | ErrorBody>('POST', '/v1/predict', req, { headers, ...(opts.signal ? { signal: opts.signal } : {}) });
    } catch (err) {
      throw err instanceof DependencyError ? gatewayError(err) : err;
    }
  }
}

function gatewayError(err: DependencyError, traceId?: string): GatewayError {
  return new GatewayError(err.kind, err.message, err.status, err.code, traceId, { cause: err });
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
