import { execFileSync } from 'node:child_process';

/**
 * The tracing runtime: the OpenTelemetry SDK, instrumentations, exporters, and the tracing
 * package's own samplers, SDK set-up and instrumentations. Code that only needs attribute names
 * (the analysis, the load generator, the attributes and semconv subpaths) must load none of it:
 * it costs ~250 modules and ~120 ms at every CLI start.
 */
export const TRACING_RUNTIME_MODULE = /@opentelemetry[\\/](sdk-|instrumentation|exporter-|core|resources|context-async-hooks)|@fastify[\\/]otel|[\\/]tracing[\\/]dist[\\/]src[\\/](sampling|sdk|instrumentations)[\\/.]/;

/** The modules a fresh process (run in `cwd`, so `specifier` resolves as a package there would) has loaded after requiring `specifier`. */
export function modulesLoadedBy(specifier: string, cwd: string): string[] {
  const out = execFileSync(process.execPath, ['-e', `require(${JSON.stringify(specifier)}); console.log(JSON.stringify(Object.keys(require.cache)))`], { cwd, encoding: 'utf8' });
  return JSON.parse(out) as string[];
}
