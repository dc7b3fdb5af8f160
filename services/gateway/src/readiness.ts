import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { request } from 'undici';
import type { GatewayConfig } from './types';

/** Names of the dependencies whose `/ready` does not answer 2xx within `timeoutMs`. */
export async function unreadyDependencies(config: GatewayConfig, timeoutMs = 1000): Promise<string[]> {
  const targets: Array<[string, string]> = [
    ['feature-store', config.featureStoreUrl],
    ['inference', config.inferenceUrl],
    ['postprocess', config.postprocessUrl],
  ];
  // Readiness polls are not part of any request's story; keep them out of the traces.
  return context.with(suppressTracing(context.active()), async () => {
    const results = await Promise.all(
      targets.map(async ([name, base]) => {
        try {
          const res = await request(`${base}/ready`, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs, signal: AbortSignal.timeout(timeoutMs) });
          await res.body.dump();
          return res.statusCode < 300 ? null : `${name} (HTTP ${res.statusCode})`;
        } catch (err) {
          // The socket code only: the message names the address, and /ready is public.
          return `${name} (${errorCode(err) ?? 'no answer'})`;
        }
      }),
    );
    return results.filter((r): r is string => r !== null);
  });
}

function errorCode(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; name?: unknown; cause?: unknown } | undefined, depth = 0; e && typeof e === 'object' && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string') return e.code;
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'timeout';
  }
  return undefined;
}
