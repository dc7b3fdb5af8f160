/**
 * What the gateway needs from its three dependencies: the methods of their typed clients
 * (`@mltrace/<service>/client`), narrowed to the calls it makes, so tests can pass clients
 * pointed at any server.
 */
export interface CallOptions {
  signal?: AbortSignal;
}

export interface FeaturesRequest {
  entities: string[];
  features?: string[];
}
export interface FeaturesResponse {
  featureVersion: string;
  features: string[];
  vectors: Array<{ entity: string; values: number[] }>;
  missing: string[];
}

export interface InferRequest {
  instances: number[][];
  model_version?: string;
}
export interface InferResponse {
  model: { name: string; version: string };
  predictions: Array<{ class: number; probabilities: number[]; confidence: number }>;
}

export interface PostprocessRequest {
  predictions: Array<{ entity?: string; class: number; probabilities: number[]; confidence: number }>;
  segment?: string;
}
export interface PostprocessResponse {
  predictions: Array<{
    entity: string | null;
    label: 'churn' | 'retain';
    probability: number;
    confidence: number;
    tier: 'low' | 'medium' | 'high';
  }>;
}

export interface GatewayDeps {
  featureStore: { getFeatures(req: FeaturesRequest, opts?: CallOptions): Promise<FeaturesResponse> };
  inference: { infer(req: InferRequest, opts?: CallOptions): Promise<InferResponse> };
  postprocess: { postprocess(req: PostprocessRequest, opts?: CallOptions): Promise<PostprocessResponse> };
  /** Releases connection pools; called when the app closes. */
  close?(): Promise<void>;
}
