/**
 * Typed client for the inference service, for its callers (the gateway).
 * Imports only the shared client base and the contract types, never server code.
 */
import { ServiceClient, type CallOptions, type ServiceClientOptions } from '@mltrace/service-kit/client';
import type { InferRequest, InferResponse } from './types';

export type { InferRequest, InferResponse, Prediction, ErrorBody } from './types';
export { DependencyError } from '@mltrace/service-kit/client';
export type { CallOptions, DependencyErrorKind } from '@mltrace/service-kit/client';

/** `baseUrl` e.g. http://127.0.0.1:8082. */
export type InferenceClientOptions = ServiceClientOptions;

/** `ready()` is true once every model version is loaded. */
export class InferenceClient extends ServiceClient {
  constructor(opts: InferenceClientOptions) {
    super('inference', opts);
  }

  /** `POST /v1/infer`: class, probabilities and confidence per row. */
  infer(req: InferRequest, opts: CallOptions = {}): Promise<InferResponse> {
    return this.http.post<InferResponse>('/v1/infer', req, opts);
  }
}
