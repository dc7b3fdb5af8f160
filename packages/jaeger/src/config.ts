import { isAbsolute, resolve } from 'node:path';
import { REPO_ROOT } from '@mltrace/stack';

/** The environment this package reads: nowhere else in it reads process.env. */
export interface JaegerPackageConfig {
  /** `MLTRACE_TOOLS_DIR`: where built tools are cached; default `<repo>/.cache/tools`. */
  toolsDir: string;
  /** `MLTRACE_GO`: the go command; default `go` on PATH, else /usr/local/go/bin/go. */
  go?: string;
  /** `CI`: in CI a missing tool fails the tests that need it; elsewhere they are skipped. */
  ci: boolean;
  /** The environment go builds and started tools inherit, minus OTEL_* and MLTRACE_* settings (a shell's collector must not leak in). */
  inherited: Record<string, string | undefined>;
}

export const DEFAULT_TOOLS_DIR = resolve(REPO_ROOT, '.cache', 'tools');

function value(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): JaegerPackageConfig {
  const dir = value(env, 'MLTRACE_TOOLS_DIR');
  const ci = (value(env, 'CI') ?? 'false').toLowerCase();
  return {
    toolsDir: dir ? (isAbsolute(dir) ? dir : resolve(process.cwd(), dir)) : DEFAULT_TOOLS_DIR,
    ...(value(env, 'MLTRACE_GO') ? { go: value(env, 'MLTRACE_GO') } : {}),
    ci: ci !== 'false' && ci !== '0' && ci !== 'no',
    inherited: Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('OTEL_') && !k.startsWith('MLTRACE_'))),
  };
}

let loaded: JaegerPackageConfig | undefined;

/** This process's config, read once. */
export function jaegerConfig(): JaegerPackageConfig {
  return (loaded ??= loadConfig());
}
