import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/** The environment this package reads: nowhere else in it reads process.env. */
export interface JaegerPackageConfig {
  /**
   * `MLTRACE_TOOLS_DIR`: where built tools are cached; default `$XDG_CACHE_HOME/mltrace/tools`
   * (`~/.cache/mltrace/tools`): outside the work tree, so a fresh clone (CI's) finds the tools built.
   */
  toolsDir: string;
  /** `MLTRACE_GO`: the go command; default `go` on PATH, else /usr/local/go/bin/go. */
  go?: string;
  /** `MLTRACE_JAEGER_PORTS=auto`: `npm run jaeger` on free ports instead of 4317, 4318, 16686… (tests; a machine where those are taken). */
  jaegerPorts: 'as-configured' | 'free';
  /** `CI`: in CI a missing tool fails the tests that need it; elsewhere they are skipped. */
  ci: boolean;
  /** The environment go builds and started tools inherit, minus OTEL_* and MLTRACE_* settings (a shell's collector must not leak in). */
  inherited: Record<string, string | undefined>;
}


function value(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): JaegerPackageConfig {
  const dir = value(env, 'MLTRACE_TOOLS_DIR');
  const ci = (value(env, 'CI') ?? 'false').toLowerCase();
  return {
    toolsDir: dir ? (isAbsolute(dir) ? dir : resolve(process.cwd(), dir)) : join(value(env, 'XDG_CACHE_HOME') ?? join(homedir(), '.cache'), 'mltrace', 'tools'),
    ...(value(env, 'MLTRACE_GO') ? { go: value(env, 'MLTRACE_GO') } : {}),
    jaegerPorts: value(env, 'MLTRACE_JAEGER_PORTS') === 'auto' ? 'free' : 'as-configured',
    ci: ci !== 'false' && ci !== '0' && ci !== 'no',
    inherited: Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('OTEL_') && !k.startsWith('MLTRACE_'))),
  };
}

let loaded: JaegerPackageConfig | undefined;

/** This process's config, read once. */
export function jaegerConfig(): JaegerPackageConfig {
  return (loaded ??= loadConfig());
}
