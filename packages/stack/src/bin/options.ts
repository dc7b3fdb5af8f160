import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadStackConfig, stackConfig } from '../config';
import { DEFAULT_STACK_DIR } from '../paths';
import { stackStateFile } from '../state-file';
import type { SystemOptions } from '../system';

export interface CliOptions {
  system: SystemOptions;
  /** Where traces go, for the banner. */
  tracesTarget(tracesDir: string): string;
  gatewayUrl: string;
  /** --traces or MLTRACE_TRACES_DIR was given (else `system.tracesDir` is `<stack dir>/traces`). */
  tracesChosen: boolean;
  /** MLTRACE_GATEWAY_URL was set: the demo uses that gateway, not the one `stack.json` names. */
  gatewayUrlChosen: boolean;
  /** The stack's folder (MLTRACE_STACK_DIR, default `<repo>/.mltrace`), absolute. */
  stackDir: string;
  /** `<stack dir>/stack.json`: written by `npm start` while its system runs, read by the demo. */
  stateFile: string;
  help: boolean;
}

export const USAGE = `options:
  --scenario NAME   plant a fault scenario (same as MLTRACE_SCENARIO=NAME)
  --ports auto      pick free ports instead of 8080-8083
  --memory          in-memory feature backend instead of Redis
  --no-tracing      start the services without the tracing preload
  --logs            also print the services' logs here (they always go to .mltrace/logs/)
  --traces DIR      where the file exporter writes (default .mltrace/traces, or MLTRACE_TRACES_DIR)
environment: REDIS_URL (use that Redis), OTEL_EXPORTER_OTLP_ENDPOINT (send traces there, e.g. Jaeger),
  MLTRACE_GATEWAY_URL (demo: use that gateway; otherwise the system that npm start's .mltrace/stack.json
  names, else http://127.0.0.1:8080), MLTRACE_STACK_DIR (instead of .mltrace), every OTEL_* variable is passed on;
  without OTEL_TRACES_SAMPLER / MLTRACE_SAMPLING_* the services sample by config/sampling-strategies.json.`;

/**
 * The stack commands' arguments, and their environment as config.ts read it (`env` given: read
 * from that instead, for tests).
 */
export function readCliOptions(argv: string[] = process.argv.slice(2), env?: Record<string, string | undefined>): CliOptions {
  const config = env ? loadStackConfig(env) : stackConfig();
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string' },
      ports: { type: 'string' },
      memory: { type: 'boolean', default: false },
      'no-tracing': { type: 'boolean', default: false },
      logs: { type: 'boolean', default: false },
      traces: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  const system: SystemOptions = {
    ...(values.ports === 'auto' ? { ports: 'auto' as const } : {}),
    ...(values.memory ? { redis: 'memory' } : {}),
    ...(values.scenario ? { scenario: values.scenario } : {}),
    ...(values['no-tracing'] ? { tracing: false } : {}),
    logToConsole: values.logs === true,
  };
  const stackDir = config.stackDir ? resolve(config.stackDir) : DEFAULT_STACK_DIR;
  system.tracesDir = values.traces ?? config.tracesDir ?? join(stackDir, 'traces');
  system.logsDir = join(stackDir, 'logs');
  const otlp = config.otlpEndpoint;
  const exporter = config.tracesExporter;
  return {
    system,
    tracesTarget: (dir) => {
      if (system.tracing === false) return 'nowhere (tracing off: --no-tracing)';
      if (exporter === 'none') return 'nowhere (OTEL_TRACES_EXPORTER=none)';
      if (exporter === 'console') return 'the services\' stdout (OTEL_TRACES_EXPORTER=console), see the logs';
      if (otlp && exporter !== 'file') return `OTLP endpoint ${otlp}`;
      return `${dir} (OTLP/JSON lines, one file per process)`;
    },
    gatewayUrl: config.gatewayUrl,
    gatewayUrlChosen: config.gatewayUrlChosen,
    tracesChosen: (values.traces ?? config.tracesDir) !== undefined,
    stackDir,
    stateFile: stackStateFile(stackDir),
    help: values.help === true,
  };
}
