// Real fastify servers speaking the downstream contracts, with switchable faults (delay, error
// status, malformed answers) that the real services cannot be made to produce on demand.
import Fastify, { type FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config';
import type { GatewayConfig } from '../src/types';

export type Dep = 'feature-store' | 'inference' | 'postprocess';

export interface Behaviour {
  delayMs?: number;
  /** Answer with this status and `{statusCode, code, error, message}`. */
  status?: number;
  code?: string;
  /** Answer 200 with this body instead of a correct one. */
  body?: unknown;
}

export interface RecordedCall {
  body: any;
  headers: Record<string, unknown>;
  start: number;
  end: number;
}

export interface ContractServers {
  urls: Record<Dep, string>;
  behaviour: Record<Dep, Behaviour>;
  calls: Record<Dep, RecordedCall[]>;
  reset(): void;
  close(): Promise<void>;
}

const FEATURES = Array.from({ length: 12 }, (_, i) => `f${i}`);

function answer(dep: Dep, body: any): unknown {
  if (dep === 'feature-store') {
    const names: string[] = body.features ?? FEATURES;
    const known = (e: string) => e.startsWith('cust-');
    return {
      featureVersion: 'v1',
      features: names,
      vectors: body.entities.filter(known).map((entity: string, i: number) => ({ entity, values: names.map((_, j) => i + j) })),
      missing: body.entities.filter((e: string) => !known(e)),
    };
  }
  if (dep === 'inference') {
    return {
      model: { name: 'contract-forest', version: body.model_version ?? 'v1' },
      predictions: body.instances.map((row: number[]) => {
        const p1 = row[0] === 99 ? 0.9 : 0.2;
        return { class: p1 >= 0.5 ? 1 : 0, probabilities: [1 - p1, p1], confidence: Math.max(p1, 1 - p1) };
      }),
    };
  }
  return {
    predictions: body.predictions.map((p: any) => ({
      entity: p.entity ?? null,
      label: p.class === 1 ? 'churn' : 'retain',
      probability: p.probabilities[1],
      confidence: p.confidence,
      tier: p.probabilities[1] >= 0.7 ? 'high' : 'low',
    })),
  };
}

const ROUTES: Record<Dep, string> = { 'feature-store': '/v1/features', inference: '/v1/infer', postprocess: '/v1/postprocess' };

export async function startContractServers(): Promise<ContractServers> {
  const behaviour = { 'feature-store': {}, inference: {}, postprocess: {} } as Record<Dep, Behaviour>;
  const calls = { 'feature-store': [], inference: [], postprocess: [] } as Record<Dep, RecordedCall[]>;
  const apps: FastifyInstance[] = [];
  const urls = {} as Record<Dep, string>;
  for (const dep of Object.keys(ROUTES) as Dep[]) {
    const app = Fastify({ forceCloseConnections: true });
    app.get('/ready', async () => ({ status: 'ready' }));
    app.post(ROUTES[dep], async (req, reply) => {
      const call: RecordedCall = { body: req.body, headers: req.headers, start: Date.now(), end: 0 };
      calls[dep].push(call);
      const b = behaviour[dep];
      if (b.delayMs) await new Promise((r) => setTimeout(r, b.delayMs));
      call.end = Date.now();
      if (b.status) {
        return reply.code(b.status).send({ statusCode: b.status, code: b.code ?? 'TEST_FAILURE', error: 'Error', message: `${dep} test failure` });
      }
      return b.body ?? answer(dep, req.body);
    });
    urls[dep] = await app.listen({ port: 0, host: '127.0.0.1' });
    apps.push(app);
  }
  return {
    urls,
    behaviour,
    calls,
    reset() {
      for (const dep of Object.keys(ROUTES) as Dep[]) {
        behaviour[dep] = {};
        calls[dep].length = 0;
      }
    },
    close: async () => {
      await Promise.all(apps.map((a) => a.close()));
    },
  };
}

/** A gateway config for `urls`, through loadConfig so the same parsing applies. */
export function configFor(urls: Record<Dep, string>, env: Record<string, string> = {}): GatewayConfig {
  const config = loadConfig({
    FEATURE_STORE_URL: urls['feature-store'],
    INFERENCE_URL: urls.inference,
    POSTPROCESS_URL: urls.postprocess,
    LOG_LEVEL: 'silent',
    ...env,
  });
  if (config.warnings.length > 0) throw new Error(`unexpected config warnings: ${config.warnings.join('; ')}`);
  return config;
}
