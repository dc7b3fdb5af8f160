/**
 * The workshop's labs, in order: each names its page in docs/workshop/, the scenario it plants
 * and the traffic it needs. `mltrace lab start <id>` starts the system for one of them.
 */
import { join } from 'node:path';
import { REPO_ROOT } from '@mltrace/stack';
import type { ScenarioName } from '@mltrace/scenarios';

/** The load `mltrace lab start` sends once the system is up (open loop, @mltrace/loadgen). */
export interface Traffic {
  /** Requests per second. */
  rate: number;
  durationS: number;
  /**
   * false: no `traceparent` from the load generator, so the gateway starts each trace and its own
   * head sampler decides (the sampling lab). Default: a sampled traceparent on every request.
   */
  traceparent?: boolean;
}

export interface Lab {
  id: string;
  title: string;
  /** About how long the lab takes, in minutes. */
  minutes: number;
  /** The page, relative to the repository root. */
  page: string;
  /** The planted scenario, if any. */
  scenario?: ScenarioName;
  /** The traffic it needs; absent: the lab runs its own systems (the overhead lab) or plants a mystery. */
  traffic?: Traffic;
  /** Extra environment for the services (e.g. the sampling lab's strategies file, relative to the repository). */
  env?: Record<string, string>;
}

/** Enough requests for every finding's minimum counts, light enough for 2 cores (cold-model saturates above ~10/s). */
export const STANDARD_TRAFFIC: Traffic = { rate: 10, durationS: 8 };

export const LABS: readonly Lab[] = [
  { id: 'reading-a-trace', title: 'Reading one distributed trace', minutes: 15, page: 'docs/workshop/01-reading-a-trace.md', traffic: { rate: 5, durationS: 4 } },
  { id: 'dropped-context', title: 'Context propagation, and what breaks it', minutes: 15, page: 'docs/workshop/02-dropped-context.md', scenario: 'dropped-context', traffic: STANDARD_TRAFFIC },
  { id: 'slow-features', title: 'A bottleneck across many traces: critical path and self time', minutes: 15, page: 'docs/workshop/03-slow-features.md', scenario: 'slow-features', traffic: STANDARD_TRAFFIC },
  { id: 'hot-partition', title: 'A bottleneck in one slice: the hot partition', minutes: 10, page: 'docs/workshop/04-hot-partition.md', scenario: 'hot-partition', traffic: STANDARD_TRAFFIC },
  { id: 'n-plus-one', title: 'N+1: one round trip per entity', minutes: 10, page: 'docs/workshop/05-n-plus-one.md', scenario: 'n-plus-one', traffic: STANDARD_TRAFFIC },
  { id: 'flaky-postprocess', title: 'Errors, and where they start', minutes: 10, page: 'docs/workshop/06-flaky-postprocess.md', scenario: 'flaky-postprocess', traffic: STANDARD_TRAFFIC },
  { id: 'model-regression', title: 'An ML regression in one slice', minutes: 15, page: 'docs/workshop/07-model-regression.md', scenario: 'model-regression', traffic: STANDARD_TRAFFIC },
  { id: 'sequential-calls', title: 'Concurrency: calls that could overlap', minutes: 10, page: 'docs/workshop/08-sequential-calls.md', scenario: 'sequential-calls', traffic: STANDARD_TRAFFIC },
  { id: 'cold-model', title: 'Model loading on the request path', minutes: 10, page: 'docs/workshop/09-cold-model.md', scenario: 'cold-model', traffic: STANDARD_TRAFFIC },
  {
    id: 'sampling',
    title: 'Sampling: what each strategy keeps and loses',
    minutes: 15,
    page: 'docs/workshop/10-sampling.md',
    traffic: { rate: 20, durationS: 5, traceparent: false },
    env: { MLTRACE_SAMPLING_STRATEGIES_FILE: 'docs/workshop/sampling-strategies.json' },
  },
  { id: 'overhead', title: 'What tracing costs', minutes: 15, page: 'docs/workshop/11-overhead.md' },
  // The knee needs load bands of at least 3 one-second buckets and 30 requests each: 20/s for 8 s is the calm end.
  { id: 'capacity', title: "Capacity from traces: Little's law and the knee", minutes: 15, page: 'docs/workshop/12-capacity.md', traffic: { rate: 20, durationS: 8 } },
  { id: 'mystery', title: 'The mystery: diagnose a planted problem on your own', minutes: 15, page: 'docs/workshop/13-mystery.md' },
];

export function findLab(id: string): Lab | undefined {
  return LABS.find((l) => l.id === id);
}

/** The page's absolute path. */
export function labPagePath(lab: Lab): string {
  return join(REPO_ROOT, lab.page);
}
