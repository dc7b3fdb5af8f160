import { parse, stringify } from 'yaml';

/**
 * What changes when one of the repository's collector-style configs (deploy/jaeger/config.yaml,
 * deploy/collector/config.yaml, the ones embedded in k8s) runs on this machine instead of in a
 * container: every listening endpoint on `host`, each port through `port()` (so tests get free
 * ports and `npm run jaeger` keeps the defaults), the strategies file where it really is, and
 * exporters pointed at the real next hop. Everything else stays exactly as the file says.
 */
export interface DeriveOptions {
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** The port to use for a port the file names (e.g. 4318 → a free one); default the same. */
  port?: (configured: number) => number;
  /** `extensions.remote_sampling.file.path`, when the config has the extension. */
  samplingFile?: string;
  /** Replaces the `endpoint` of every exporter whose key starts with this (e.g. `otlphttp`). */
  exporterEndpoints?: Record<string, string>;
  /**
   * false: turn the collector's own Prometheus metrics endpoint (default localhost:8888) off, so
   * several instances can run side by side. Default true (leave it as the file says).
   */
  internalMetrics?: boolean;
}

type Node = Record<string, unknown>;

const isObject = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A listening address as the collector writes it: `host:port`, no scheme. */
const LISTEN = /^([^/:]*|\[[^\]]*\]):(\d+)$/;

/** The derived configuration as YAML text, plus the ports it listens on, by the port the file named. */
export function deriveBackendConfig(yamlText: string, opts: DeriveOptions = {}): { yaml: string; ports: Map<number, number>; config: Node } {
  const config = parse(yamlText) as unknown;
  if (!isObject(config)) throw new Error('not a collector configuration (expected a YAML mapping)');
  const host = opts.host ?? '127.0.0.1';
  const ports = new Map<number, number>();
  const mapPort = (configured: number): number => {
    if (!ports.has(configured)) ports.set(configured, opts.port ? opts.port(configured) : configured);
    return ports.get(configured)!;
  };

  // Every `endpoint: host:port` under receivers and extensions is a listening address.
  for (const section of ['receivers', 'extensions']) {
    walk(config[section], (node) => {
      const m = typeof node.endpoint === 'string' ? LISTEN.exec(node.endpoint) : null;
      if (m) node.endpoint = `${host}:${mapPort(Number(m[2]))}`;
    });
  }

  // What the file leaves to built-in defaults is named too, so parallel instances do not collide:
  // the query service's gRPC API (16685) and remote sampling over gRPC (5779).
  const extensions = isObject(config.extensions) ? config.extensions : {};
  const query = extensions.jaeger_query;
  if (isObject(query) && !isObject(query.grpc)) query.grpc = { endpoint: `${host}:${mapPort(16685)}` };
  const sampling = extensions.remote_sampling;
  if (isObject(sampling)) {
    if (!isObject(sampling.grpc)) sampling.grpc = { endpoint: `${host}:${mapPort(5779)}` };
    if (opts.samplingFile && isObject(sampling.file)) sampling.file.path = opts.samplingFile;
  }

  const exporters = isObject(config.exporters) ? config.exporters : {};
  for (const [key, exporter] of Object.entries(exporters)) {
    const type = key.split('/')[0]!;
    const target = opts.exporterEndpoints?.[type];
    if (target !== undefined && isObject(exporter)) exporter.endpoint = target;
  }

  if (opts.internalMetrics === false) {
    const service = (config.service ??= {}) as Node;
    const telemetry = (service.telemetry ??= {}) as Node;
    telemetry.metrics = { level: 'none' };
  }
  return { yaml: stringify(config), ports, config };
}

function walk(value: unknown, visit: (node: Node) => void): void {
  if (Array.isArray(value)) {
    for (const v of value) walk(v, visit);
  } else if (isObject(value)) {
    visit(value);
    for (const v of Object.values(value)) walk(v, visit);
  }
}
