import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { policyFromRemote } from './resolve-policy';
import type { ServicePolicy } from './types';

export const DEFAULT_REMOTE_POLL_MS = 60_000;
export const DEFAULT_REMOTE_TIMEOUT_MS = 2_000;

export interface RemotePollerOptions {
  url: string;
  serviceName: string;
  pollMs: number;
  timeoutMs: number;
  onStrategy: (policy: Pick<ServicePolicy, 'source' | 'serviceDefault' | 'operations'>) => void;
  warn: (message: string) => void;
}

export function samplingUrl(base: string, serviceName: string): string {
  const url = new URL(base);
  url.searchParams.set('service', serviceName);
  return url.toString();
}

/**
 * Polls a Jaeger sampling endpoint. A failed or invalid poll keeps the last good
 * strategy and warns once per failure streak (not once per poll, to keep logs readable
 * while Jaeger is down). The timer is unref()ed: polling never keeps a process alive.
 */
export class RemoteStrategyPoller {
  private timer: NodeJS.Timeout | undefined;
  private lastBody: string | undefined;
  private failing = false;
  readonly url: string;

  constructor(private readonly opts: RemotePollerOptions) {
    this.url = samplingUrl(opts.url, opts.serviceName);
  }

  start(): void {
    if (this.timer) return;
    void this.poll();
    this.timer = setInterval(() => void this.poll(), this.opts.pollMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One poll; resolves true when a strategy was applied (or was unchanged). Never rejects. */
  async poll(): Promise<boolean> {
    try {
      // The poll must not trace itself (the fetch instrumentation would make a trace per poll).
      const body = await context.with(suppressTracing(context.active()), () => this.fetchBody());
      if (body !== this.lastBody) {
        this.opts.onStrategy(policyFromRemote(JSON.parse(body) as unknown, `remote ${this.url}`));
        this.lastBody = body;
      }
      if (this.failing) this.opts.warn(`remote sampling strategy from ${this.url} is available again`);
      this.failing = false;
      return true;
    } catch (err) {
      if (!this.failing) {
        this.opts.warn(`remote sampling strategy from ${this.url} failed (${(err as Error).message}); keeping the last good strategy`);
      }
      this.failing = true;
      return false;
    }
  }

  private async fetchBody(): Promise<string> {
    const res = await fetch(this.url, { signal: AbortSignal.timeout(this.opts.timeoutMs), headers: { accept: 'application/json' } });
    const body = await res.text();
    if (!res.ok) throw new Error(`HTTP ${res.status}: ${body.slice(0, 200)}`);
    return body;
  }
}
