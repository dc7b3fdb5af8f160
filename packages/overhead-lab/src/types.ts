import type { LatencySummary } from '@mltrace/loadgen';

/** What a configuration exported: bytes as written or received, spans per instrumentation scope and service. */
export interface ExportTally {
  bytes: number;
  spans: number;
  byScope: Record<string, number>;
  /** Spans per service (file exporter only: the OTLP sink does not decode resources). */
  byService: Record<string, number>;
  /** Lines or requests that could not be read. */
  badRequests: number;
}

export type ExporterKind = 'none' | 'file' | 'otlp';

/** One tracing configuration of the system under test. */
export interface Configuration {
  id: string;
  label: string;
  /** false: services start without the tracing preload (`@mltrace/tracing/register`). */
  tracing: boolean;
  exporter: ExporterKind;
  /**
   * How the lab points an `otlp` exporter at its sink: `traces` (default) sets
   * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT; `base` sets OTEL_EXPORTER_OTLP_ENDPOINT, so metrics and
   * logs go to the sink too, as with a default SDK.
   */
  otlpEndpoint?: 'traces' | 'base';
  /** Environment for every service (OTEL_* and MLTRACE_*); the OTLP endpoint is filled in by the lab. */
  env: Record<string, string>;
}

export interface BenchOptions {
  rounds: number;
  configurations: Configuration[];
  warmupS: number;
  /** Closed-loop (max throughput) seconds per configuration and round, run in slices of `sliceS`. */
  closedS: number;
  /** Length of one closed-loop slice; the slices of all configurations are interleaved (bench.ts). */
  sliceS: number;
  openS: number;
  connections: number;
  /** Open-loop rate (req/s), the same for every configuration; it must stay below the slowest one's saturation. */
  openRate: number;
  seedCustomers: number;
  /** Configurations to profile (V8 CPU profiler) after the rounds, for the per-package breakdown; empty: none. */
  profile: string[];
  outDir: string;
  /** Where temporary trace and log directories go (removed afterwards). */
  workDir: string;
  log: (line: string) => void;
}

/** One configuration measured once. */
export interface RunMeasurement {
  config: string;
  round: number;
  /** Closed loop at `connections`: responses/s over all slices, and latency at saturation (each percentile the median over slices). */
  maxThroughput: number;
  /** Responses/s of each closed-loop slice, in order: slice i of every configuration ran within seconds of each other. */
  sliceThroughputs: number[];
  /** CPU ms per response of the four services during each slice (saturated), in the same order. */
  sliceCpuMsPerRequest: number[];
  saturatedLatencyMs: LatencySummary;
  /** Open loop at the fixed rate. */
  openRate: number;
  achievedRate: number;
  latencyMs: LatencySummary;
  /** Non-2xx responses, timeouts and transport errors over all phases. */
  errors: number;
  /** CPU ms per request per service during the open-loop phase. */
  cpuMsPerRequest: Record<string, number>;
  requests: number;
  exported: ExportTally;
  spansPerRequest: number;
  bytesPerRequest: number;
}

/** One configuration over all rounds, each value the median of the per-round values. */
export interface ConfigSummary {
  config: string;
  label: string;
  rounds: number;
  maxThroughput: number;
  /**
   * Each closed-loop slice's throughput / the untraced throughput of the same slice (same round and
   * index): the median over all slices, and the interquartile range (the middle half of them).
   */
  throughputRatio: number;
  throughputRatioRange: [number, number];
  p50Ms: number;
  p99Ms: number;
  /** (p50 − untraced p50) / untraced p50, same round, median over rounds. */
  p50Added: number;
  p99Added: number;
  cpuMsPerRequest: number;
  cpuRatio: number;
  /** Saturated: the four services' CPU per response in each slice / the same of the `off` slice next to it; median and interquartile range. */
  saturatedCpuRatio: number;
  saturatedCpuRatioRange: [number, number];
  cpuMsPerRequestByService: Record<string, number>;
  spansPerRequest: number;
  bytesPerRequest: number;
  spansPerRequestByScope: Record<string, number>;
  spansPerRequestByService: Record<string, number>;
  errors: number;
}

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  node: string;
  os: string;
  memoryGiB: number;
}

export interface BenchReport {
  startedAt: string;
  durationS: number;
  machine: MachineInfo;
  settings: Omit<BenchOptions, 'configurations' | 'log' | 'outDir' | 'workDir'> & { configurations: string[] };
  summaries: ConfigSummary[];
  runs: RunMeasurement[];
  profiles: ProfileResult[];
}

/** CPU ms per request by package (all services summed) and per service, from V8 CPU profiles. */
export interface ProfileResult {
  config: string;
  requests: number;
  msPerRequestByPackage: Record<string, number>;
  msPerRequestByService: Record<string, number>;
}
