/**
 * Which traces are requests. A request is a trace whose entry span (its earliest root) serves one:
 * a server or consumer span, or a traced caller's client/producer span whose trace reaches a server
 * or consumer span (a load generator that traces its side). Everything else is reported apart and
 * kept out of the request figures (rates, latency, success, slices, compare):
 * - `health-check`: an entry named like a health, readiness or liveness probe;
 * - `background`: work no request asked for — a model loaded at start-up, a seeding script's
 *   database calls, a scheduled job (internal or unspecified roots).
 * When no trace is a request by these rules (data without span kinds), every trace that is not a
 * health check counts as one, and `note` says so.
 */
import { ATTR_HTTP_ROUTE, ATTR_URL_PATH } from '@opentelemetry/semantic-conventions';
import { ATTR_HTTP_TARGET } from '@mltrace/tracing/semconv';
import type { Span, Trace } from '../model';
import { traceFacts } from './trace-facts';

export type TrafficKind = 'request' | 'health-check' | 'background';

/**
 * Probe paths and operation names: a last path segment (or whole name) /health, /healthz,
 * /healthcheck, /ready, /readyz, /readiness, /live, /livez, /liveness, /ping ("GET /healthz",
 * "/api/health?full=1"), or gRPC's grpc.health.v1 service. "POST /orders/ready-to-ship" is no probe.
 */
const HEALTH_CHECK = /(?:^|[\s/])(?:health|healthz|healthcheck|ready|readyz|readiness|live|livez|liveness|ping)\/?(?:\?.*)?$|grpc\.health\.v1/i;
const PATH_KEYS: readonly string[] = [ATTR_HTTP_ROUTE, ATTR_URL_PATH, ATTR_HTTP_TARGET];

function isHealthCheck(entry: Span): boolean {
  if (HEALTH_CHECK.test(entry.name)) return true;
  for (const k of PATH_KEYS) {
    const v = entry.attributes[k];
    if (typeof v === 'string' && HEALTH_CHECK.test(v)) return true;
  }
  return false;
}

function reachesServer(spans: readonly Span[], entry: Span): boolean {
  return spans.some((s) => s !== entry && (s.kind === 'server' || s.kind === 'consumer'));
}

export function trafficKind(trace: Trace): TrafficKind {
  const r = traceFacts(trace).roots[0];
  if (r === undefined) return 'background';
  const entry = trace.spans[r] as Span;
  if (isHealthCheck(entry)) return 'health-check';
  if (entry.kind === 'server' || entry.kind === 'consumer') return 'request';
  if ((entry.kind === 'client' || entry.kind === 'producer') && reachesServer(trace.spans, entry)) return 'request';
  return 'background';
}

export interface TrafficSummary {
  /** Traces counted as requests (every figure of the report except dependencies and completeness is over these). */
  requests: number;
  healthChecks: number;
  background: number;
  /** What the traces kept apart begin with: the entry's service, operation and kind, most common first. */
  apart: Array<{ kind: Exclude<TrafficKind, 'request'>; service: string; operation: string; spanKind: string; traces: number }>;
  /** Set when the rules found no request and every non-probe trace was counted as one. */
  note?: string;
}

export function splitTraffic(traces: readonly Trace[]): { requests: Trace[]; summary: TrafficSummary } {
  const requests: Trace[] = [];
  const others: Trace[] = [];
  const apart = new Map<string, TrafficSummary['apart'][number]>();
  let healthChecks = 0;
  let background = 0;
  for (const t of traces) {
    const kind = trafficKind(t);
    if (kind === 'request') {
      requests.push(t);
      continue;
    }
    if (kind === 'health-check') healthChecks++;
    else {
      background++;
      others.push(t);
    }
    const entry = t.spans[traceFacts(t).roots[0] ?? 0] as Span | undefined;
    const key = `${kind}\u0000${entry?.service}\u0000${entry?.name}\u0000${entry?.kind}`;
    const a = apart.get(key);
    if (a) a.traces++;
    else apart.set(key, { kind, service: entry?.service ?? '', operation: entry?.name ?? '', spanKind: entry?.kind ?? '', traces: 1 });
  }
  const list = [...apart.values()].sort((a, b) => b.traces - a.traces);
  if (!requests.length && others.length) {
    return {
      requests: others,
      summary: { requests: others.length, healthChecks, background: 0, apart: list.filter((a) => a.kind === 'health-check'), note: 'no trace begins with a server or consumer span: every trace that is not a health check is counted as a request' },
    };
  }
  return { requests, summary: { requests: requests.length, healthChecks, background, apart: list } };
}
