/** The only place the workshop reads the environment. Empty or blank counts as unset. */
import { resolve } from 'node:path';

export interface WorkshopConfig {
  /** `MLTRACE_LAB_DIR`: where the running lab keeps its state, traces and logs (default `.mltrace/lab` under the current directory). */
  labDir: string;
  /** `MLTRACE_LAB_PORTS=auto`: free ports instead of 8080–8083 (tests, or a machine where those are taken). */
  autoPorts: boolean;
  /** `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, else `OTEL_EXPORTER_OTLP_ENDPOINT`: traces go there (Jaeger) instead of files. */
  otlpEndpoint?: string;
  /** `MLTRACE_SAMPLING_STRATEGIES_FILE`, absolute: the learner's own strategies file, used instead of the sampling lab's. */
  strategiesFile?: string;
  warnings: string[];
}

function value(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

export function loadWorkshopConfig(env: Readonly<Record<string, string | undefined>> = process.env, cwd: string = process.cwd()): WorkshopConfig {
  const warnings: string[] = [];
  const ports = value(env, 'MLTRACE_LAB_PORTS');
  if (ports !== undefined && ports !== 'auto' && ports !== 'default') warnings.push(`MLTRACE_LAB_PORTS=${JSON.stringify(ports)} is neither auto nor default; using 8080–8083`);
  const otlpEndpoint = value(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ?? value(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  const strategiesFile = value(env, 'MLTRACE_SAMPLING_STRATEGIES_FILE');
  return {
    labDir: resolve(cwd, value(env, 'MLTRACE_LAB_DIR') ?? '.mltrace/lab'),
    autoPorts: ports === 'auto',
    ...(otlpEndpoint ? { otlpEndpoint } : {}),
    ...(strategiesFile ? { strategiesFile: resolve(cwd, strategiesFile) } : {}),
    warnings,
  };
}
