/**
 * What every recommendation rule shares: the Recommendation shape, the input a rule reads, and
 * small helpers to name spans and round numbers for the evidence.
 */
import { ATTR_DB_SYSTEM_NAME, ATTR_SERVER_ADDRESS } from '@opentelemetry/semantic-conventions';
import { ATTR_DB_SYSTEM, ATTR_MESSAGING_SYSTEM, ATTR_PEER_SERVICE, ATTR_RPC_SYSTEM } from '@mltrace/tracing/semconv';
import type { Span, Trace } from '../../model';
import type { BottlenecksResult } from '../bottlenecks';
import type { CompletenessResult } from '../completeness';
import type { CriticalPathAggregate } from '../critical-path-aggregate';
import type { ErrorsResult } from '../errors';
import type { AnalysisOptions } from '../options';
import type { PerformanceResult } from '../performance';
import type { SlicesResult } from '../slices';
import type { Topology } from '../topology';

export type RuleId =
  | 'model-reloaded'
  | 'redis-n-plus-one'
  | 'n-plus-one'
  | 'sequential-calls'
  | 'feature-store-dominates'
  | 'throughput-variability'
  | 'dropped-context'
  | 'slow-slice'
  | 'error-origin';

/** The traces and spans a finding is about, so a reader can open them (in Jaeger, with the report's links). */
export interface FindingExamples {
  /** Example trace ids (at most MAX_EXAMPLE_TRACES). */
  traceIds: string[];
  /** In the first example trace: the span under which the calls happen, when the finding is about calls of one parent. */
  parentSpanId?: string;
  /** In the first example trace: the spans the finding is about. */
  spanIds?: string[];
}

export interface Recommendation {
  id: RuleId;
  title: string;
  /** What it is about: a service, "service: operation", a hop "a→b" or a slice "k=v". */
  target: string;
  action: string;
  evidence: Record<string, number | string>;
  examples: FindingExamples;
  estimatedGain: { value: number; unit: string; description: string };
  impact: number;
}

export interface Findings {
  performance: PerformanceResult;
  bottlenecks: BottlenecksResult;
  errors: ErrorsResult;
  criticalPath: CriticalPathAggregate;
  completeness: CompletenessResult;
  slices: SlicesResult;
}

/** What a rule reads: the request traces, the other analyses' findings and the resolved options. */
export interface RuleInput {
  traces: readonly Trace[];
  findings: Findings;
  opts: AnalysisOptions;
  topology: Topology;
  /** Σ end-to-end time of the traces (µs): the denominator of latency rules' impact. */
  totalE2e: number;
}

export const MAX_EXAMPLE_TRACES = 5;

export const ms = (us: number): number => Math.round(us / 10) / 100;
export const pct = (x: number): number => Math.round(x * 1000) / 10;

// Plain constants: the incubating conventions module is a dictionary-mode object, slow to read per span.
const DB_SYSTEM: string = ATTR_DB_SYSTEM;
const DB_SYSTEM_NAME: string = ATTR_DB_SYSTEM_NAME;
const MESSAGING_SYSTEM: string = ATTR_MESSAGING_SYSTEM;
const RPC_SYSTEM: string = ATTR_RPC_SYSTEM;
const PEER_SERVICE: string = ATTR_PEER_SERVICE;
const SERVER_ADDRESS: string = ATTR_SERVER_ADDRESS;

/** The database system a span calls (db.system.name, else the older db.system), if any. */
export function dbSystemOf(s: Span): string | undefined {
  const v = s.attributes[DB_SYSTEM_NAME] ?? s.attributes[DB_SYSTEM];
  return v === undefined || v === '' ? undefined : String(v);
}

export function messagingSystemOf(s: Span): string | undefined {
  const v = s.attributes[MESSAGING_SYSTEM];
  return v === undefined || v === '' ? undefined : String(v);
}

export function isDbSpan(s: Span): boolean {
  return dbSystemOf(s) !== undefined;
}

/**
 * A span that calls something outside its process: client or producer kind, or — in data without
 * span kinds (old Jaeger clients, Zipkin local spans) — a database, messaging or RPC span. Server,
 * consumer and internal spans are not calls (their attributes are not even read: this runs per span).
 */
export function isCall(s: Span): boolean {
  if (s.kind === 'client' || s.kind === 'producer') return true;
  if (s.kind !== 'unspecified') return false;
  return dbSystemOf(s) !== undefined || messagingSystemOf(s) !== undefined || s.attributes[RPC_SYSTEM] !== undefined;
}

/** peer.service, else server.address, if the span names its peer. */
export function peerNameOf(s: Span): string | undefined {
  const v = s.attributes[PEER_SERVICE] ?? s.attributes[SERVER_ADDRESS];
  return v === undefined || v === '' ? undefined : String(v);
}

/** Up to MAX_EXAMPLE_TRACES distinct trace ids, in first-seen order. */
export class ExampleTraces {
  private readonly ids: string[] = [];

  add(traceId: string): void {
    if (this.ids.length < MAX_EXAMPLE_TRACES && !this.ids.includes(traceId)) this.ids.push(traceId);
  }

  list(): string[] {
    return [...this.ids];
  }
}
