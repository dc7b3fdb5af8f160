import { resolve } from 'node:path';
import { REPO_ROOT } from './paths';

/** The environment the stack's commands and startSystem read: nowhere else reads process.env. */
export interface StackConfig {
  /** `REDIS_URL`: a `redis://` or `rediss://` URL to use instead of a private Redis. */
  redisUrl?: string;
  /** `MLTRACE_GATEWAY_URL`: the running gateway the demo uses (default http://127.0.0.1:8080). */
  gatewayUrl: string;
  /** True when `gatewayUrl` came from MLTRACE_GATEWAY_URL: the demo then uses it rather than the stack file's. */
  gatewayUrlChosen: boolean;
  /**
   * `MLTRACE_STACK_DIR`: the stack's folder (default `<repo>/.mltrace`): `logs/`, `traces/` (unless
   * MLTRACE_TRACES_DIR), `runs/` (the demo's) and `stack.json`, which says a system is running.
   */
  stackDir?: string;
  /**
   * `MLTRACE_SCENARIO`: the fault scenario when none is given as an option. Not checked here: each
   * service knows its scenarios and warns about a name none of them plants.
   */
  scenario?: string;
  /** `MLTRACE_TRACES_DIR`: where the file exporter writes when `--traces` is not given. */
  tracesDir?: string;
  /** `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, else `OTEL_EXPORTER_OTLP_ENDPOINT` (for the banner). */
  otlpEndpoint?: string;
  /** `OTEL_TRACES_EXPORTER` (for the banner). */
  tracesExporter?: string;
  /** The environment the services inherit (all of it: every OTEL_* setting is passed on). */
  inherited: Record<string, string | undefined>;
  /** What could not be used, one line each. */
  warnings: string[];
}

export const DEFAULT_GATEWAY_URL = 'http://127.0.0.1:8080';

/** Any of these, set by the caller, chooses the sampler; otherwise the stack supplies the strategies file. */
export const SAMPLER_SETTINGS = ['OTEL_TRACES_SAMPLER', 'MLTRACE_SAMPLING_STRATEGIES_FILE', 'MLTRACE_SAMPLING_REMOTE_URL'] as const;

/** The repository's sampling strategies (every service at 1.0, rule and probability on each root). */
export const DEFAULT_SAMPLING_STRATEGIES_FILE = resolve(REPO_ROOT, 'config', 'sampling-strategies.json');

/** Empty or blank is unset. */
function value(env: NodeJS.ProcessEnv | Record<string, string | undefined>, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

function isUrl(text: string, protocols: readonly string[]): boolean {
  try {
    return protocols.includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

/** Reads the stack's environment; a bad value adds one warning and is treated as unset. */
export function loadStackConfig(env: NodeJS.ProcessEnv | Record<string, string | undefined> = process.env): StackConfig {
  const warnings: string[] = [];
  const config: StackConfig = { gatewayUrl: DEFAULT_GATEWAY_URL, gatewayUrlChosen: false, inherited: { ...env }, warnings };

  const redisUrl = value(env, 'REDIS_URL');
  if (redisUrl && isUrl(redisUrl, ['redis:', 'rediss:'])) config.redisUrl = redisUrl;
  else if (redisUrl) warnings.push(`REDIS_URL=${JSON.stringify(redisUrl)} is not a redis:// URL; ignoring it`);

  const gatewayUrl = value(env, 'MLTRACE_GATEWAY_URL');
  if (gatewayUrl && isUrl(gatewayUrl, ['http:', 'https:'])) {
    config.gatewayUrl = gatewayUrl.replace(/\/+$/, '');
    config.gatewayUrlChosen = true;
  } else if (gatewayUrl) warnings.push(`MLTRACE_GATEWAY_URL=${JSON.stringify(gatewayUrl)} is not an http(s) URL; using ${DEFAULT_GATEWAY_URL}`);

  const scenario = value(env, 'MLTRACE_SCENARIO');
  if (scenario) config.scenario = scenario;
  // Blank is unset for the services too.
  config.inherited.MLTRACE_SCENARIO = config.scenario;

  const stackDir = value(env, 'MLTRACE_STACK_DIR');
  if (stackDir) config.stackDir = stackDir;
  const tracesDir = value(env, 'MLTRACE_TRACES_DIR');
  if (tracesDir) config.tracesDir = tracesDir;
  const otlp = value(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ?? value(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  if (otlp) config.otlpEndpoint = otlp;
  const exporter = value(env, 'OTEL_TRACES_EXPORTER');
  if (exporter) config.tracesExporter = exporter;
  return config;
}

/**
 * The sampler setting a traced service gets on top of `env` (its complete environment): the
 * repository's strategies file unless the caller chose a sampler with any of SAMPLER_SETTINGS.
 */
export function defaultSamplerEnv(env: Record<string, string | undefined>): Record<string, string> {
  return SAMPLER_SETTINGS.some((name) => value(env, name) !== undefined) ? {} : { MLTRACE_SAMPLING_STRATEGIES_FILE: DEFAULT_SAMPLING_STRATEGIES_FILE };
}

let loaded: StackConfig | undefined;

/** This process's config, read once; its warnings go to stderr once. */
export function stackConfig(): StackConfig {
  if (!loaded) {
    loaded = loadStackConfig();
    for (const warning of loaded.warnings) console.warn(`mltrace stack: ${warning}`);
  }
  return loaded;
}
