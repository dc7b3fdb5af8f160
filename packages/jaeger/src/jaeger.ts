import { startBackend, type RunningBackend } from './backend';
import { COLLECTOR_CONFIG_FILE, JAEGER_CONFIG_FILE, SAMPLING_STRATEGIES_FILE } from './paths';

/** The sandbox's ports, as deploy/jaeger/config.yaml and docker-compose.yml name them. */
export const JAEGER_PORTS = { otlpGrpc: 4317, otlpHttp: 4318, query: 16686, sampling: 5778, health: 13133 } as const;

export interface JaegerOptions {
  /** Default deploy/jaeger/config.yaml. */
  configFile?: string;
  /** What remote sampling serves; default config/sampling-strategies.json. */
  samplingFile?: string;
  /** 'free' (default, tests) or 'as-configured' (`npm run jaeger`: 4317, 4318, 16686, 5778, 13133). */
  ports?: 'free' | 'as-configured';
  /** Keep the Prometheus self-metrics endpoint (localhost:8888); default off so instances can run side by side. */
  internalMetrics?: boolean;
  echo?: boolean;
}

export interface RunningJaeger {
  backend: RunningBackend;
  /** OTLP/HTTP base URL (what OTEL_EXPORTER_OTLP_ENDPOINT takes), e.g. http://127.0.0.1:4318 */
  otlpHttpUrl: string;
  /** OTLP/gRPC URL, e.g. http://127.0.0.1:4317 */
  otlpGrpcUrl: string;
  /** UI and query APIs (v3 at /api/v3, v1 at /api), e.g. http://127.0.0.1:16686 */
  queryUrl: string;
  /** Remote sampling endpoint the services poll (MLTRACE_SAMPLING_REMOTE_URL), e.g. http://127.0.0.1:5778/sampling */
  samplingUrl: string;
  stop(): Promise<void>;
}

/** Starts the real Jaeger v2 with the sandbox's configuration, on 127.0.0.1. */
export async function startJaeger(opts: JaegerOptions = {}): Promise<RunningJaeger> {
  const backend = await startBackend({
    name: 'jaeger',
    configFile: opts.configFile ?? JAEGER_CONFIG_FILE,
    samplingFile: opts.samplingFile ?? SAMPLING_STRATEGIES_FILE,
    ports: opts.ports ?? 'free',
    internalMetrics: opts.internalMetrics ?? false,
    echo: opts.echo ?? false,
  });
  const url = (p: number) => `http://127.0.0.1:${backend.port(p)}`;
  return {
    backend,
    otlpHttpUrl: url(JAEGER_PORTS.otlpHttp),
    otlpGrpcUrl: url(JAEGER_PORTS.otlpGrpc),
    queryUrl: url(JAEGER_PORTS.query),
    samplingUrl: `${url(JAEGER_PORTS.sampling)}/sampling`,
    stop: () => backend.stop(),
  };
}

export interface RunningCollector {
  backend: RunningBackend;
  otlpHttpUrl: string;
  otlpGrpcUrl: string;
  stop(): Promise<void>;
}

/**
 * The compose overlay's collector (deploy/collector/config.yaml: tail sampling) in the Jaeger v2
 * binary, which carries the same `tail_sampling` processor, exporting to `jaeger` over OTLP/HTTP.
 */
export async function startCollector(jaeger: RunningJaeger, opts: { configFile?: string; echo?: boolean } = {}): Promise<RunningCollector> {
  const backend = await startBackend({
    name: 'collector',
    configFile: opts.configFile ?? COLLECTOR_CONFIG_FILE,
    exporterEndpoints: { otlphttp: jaeger.otlpHttpUrl },
    internalMetrics: false,
    echo: opts.echo ?? false,
  });
  const url = (p: number) => `http://127.0.0.1:${backend.port(p)}`;
  return { backend, otlpHttpUrl: url(JAEGER_PORTS.otlpHttp), otlpGrpcUrl: url(JAEGER_PORTS.otlpGrpc), stop: () => backend.stop() };
}
