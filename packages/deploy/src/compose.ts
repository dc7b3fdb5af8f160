import { readFileSync, existsSync } from 'node:fs';
import { parse } from 'yaml';

export type ComposeFile = {
  services: Record<string, ComposeService>;
  [key: string]: unknown;
};

export interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: Array<string | number | Record<string, unknown>>;
  depends_on?: string[] | Record<string, { condition: string }>;
  profiles?: string[];
  healthcheck?: Record<string, unknown>;
  volumes?: Array<string | Record<string, unknown>>;
  command?: string | string[];
  init?: boolean;
  [key: string]: unknown;
}

/** Reads a `.env` file the way compose does: KEY=VALUE lines, `#` comments, optional quotes. */
export function readEnvFile(path: string): Record<string, string> {
  const env: Record<string, string> = {};
  if (!existsSync(path)) return env;
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    env[line.slice(0, eq).trim()] = line.slice(eq + 1).trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  return env;
}

export interface Interpolation {
  value: string;
  /** Variables referenced without a default that the environment does not define. */
  undefinedVars: string[];
}

/** Compose variable interpolation: `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `$VAR`, `$$` escapes. */
export function interpolate(input: string, env: Record<string, string | undefined>): Interpolation {
  const undefinedVars: string[] = [];
  const value = input.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, braced, op, dflt, bare) => {
    if (m === '$$') return '$';
    const name = (braced ?? bare) as string;
    const v = env[name];
    if (op === ':-') return v === undefined || v === '' ? (dflt as string) : v;
    if (op === '-') return v === undefined ? (dflt as string) : v;
    if (v === undefined) undefinedVars.push(name);
    return v ?? '';
  });
  return { value, undefinedVars };
}

function interpolateDeep(node: unknown, env: Record<string, string>, missing: Set<string>): unknown {
  if (typeof node === 'string') {
    const r = interpolate(node, env);
    r.undefinedVars.forEach((v) => missing.add(v));
    return r.value;
  }
  if (Array.isArray(node)) return node.map((n) => interpolateDeep(n, env, missing));
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = interpolateDeep(v, env, missing);
    return out;
  }
  return node;
}

/** Compose's merge of override files: mappings merge key by key, sequences append. */
export function mergeCompose(base: unknown, override: unknown): unknown {
  if (Array.isArray(base) && Array.isArray(override)) return [...base, ...override];
  if (base && override && typeof base === 'object' && typeof override === 'object' && !Array.isArray(base) && !Array.isArray(override)) {
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [k, v] of Object.entries(override)) out[k] = k in out ? mergeCompose(out[k], v) : v;
    return out;
  }
  return override;
}

export interface LoadedCompose {
  /** After YAML anchors/merge keys are resolved and variables interpolated. */
  config: ComposeFile;
  missingVars: string[];
}

/** Loads one or more compose files (later ones override earlier ones), as `docker compose -f a -f b config` would. */
export function loadCompose(files: string[], env: Record<string, string>): LoadedCompose {
  const missing = new Set<string>();
  let merged: unknown = {};
  for (const file of files) {
    const doc = parse(readFileSync(file, 'utf8'), { merge: true }) as unknown;
    merged = mergeCompose(merged, interpolateDeep(doc, env, missing));
  }
  // Extension fields (x-*) are only anchors' homes; compose drops them from the model.
  const config = Object.fromEntries(Object.entries(merged as Record<string, unknown>).filter(([k]) => !k.startsWith('x-'))) as ComposeFile;
  return { config, missingVars: [...missing] };
}

/** The environment a compose service gets, as a plain map (list or map syntax). */
export function serviceEnvironment(svc: ComposeService): Record<string, string> {
  const env: Record<string, string> = {};
  if (Array.isArray(svc.environment)) {
    for (const item of svc.environment) {
      const eq = item.indexOf('=');
      if (eq > 0) env[item.slice(0, eq)] = item.slice(eq + 1);
    }
  } else if (svc.environment) {
    for (const [k, v] of Object.entries(svc.environment)) env[k] = v === null ? '' : String(v);
  }
  return env;
}
