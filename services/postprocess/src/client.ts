/**
 * Typed client for the post-processor, for its callers (the gateway). Imports
 * only the shared client base and the contract types, never server code.
 */
import { ServiceClient, type CallOptions, type ServiceClientOptions } from '@mltrace/service-kit/client';
import type { PostprocessRequest, PostprocessResponse } from './types';

export type { PostprocessRequest, PostprocessResponse, ModelOutput, Decision, Label, RiskTier, ErrorBody } from './types';
export { DependencyError } from '@mltrace/service-kit/client';
export type { CallOptions, DependencyErrorKind } from '@mltrace/service-kit/client';

/** `baseUrl` e.g. http://127.0.0.1:8083. */
export type PostprocessClientOptions = ServiceClientOptions;

/** `ready()` is true when the service answers. */
export class PostprocessClient extends ServiceClient {
  constructor(opts: PostprocessClientOptions) {
    super('postprocess', opts);
  }

  /** `POST /v1/postprocess`: labels, churn probabilities and risk tiers for model outputs. */
  postprocess(req: PostprocessRequest, opts: CallOptions = {}): Promise<PostprocessResponse> {
    return this.http.post<PostprocessResponse>('/v1/postprocess', req, opts);
  }
}
