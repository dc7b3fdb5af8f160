import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config';
import type { ModelOutput, PostprocessConfig } from '../src/types';

export function testConfig(env: Record<string, string> = {}): PostprocessConfig {
  return loadConfig({ LOG_LEVEL: 'silent', ...env });
}

/** A model output for churn probability `p`, shaped like the inference service's. */
export function output(p: number, entity?: string): ModelOutput {
  return { ...(entity ? { entity } : {}), class: p >= 0.5 ? 1 : 0, probabilities: [1 - p, p], confidence: Math.max(p, 1 - p) };
}

export function postprocess(app: FastifyInstance, body: unknown, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: '/v1/postprocess', payload: body as object, headers });
}
