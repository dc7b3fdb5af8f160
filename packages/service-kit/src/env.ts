/** An environment to read: the process environment, or a plain object in tests. */
export type Env = Readonly<Record<string, string | undefined>>;

export interface JsonCheck<T> {
  /** True when the parsed value is usable. */
  valid: (value: unknown) => value is T;
  /** What a valid value is, for the warning, e.g. "a JSON object of probabilities in [0, 1]". */
  expected: string;
}

/**
 * Typed readers over one environment. An empty (or blank) value counts as
 * unset; a value that does not parse adds ONE warning to `warnings` and the
 * default is used, so a typo never stops a service but is never silent either.
 * The service's config.ts logs `warnings` at start.
 */
export interface EnvReader {
  readonly warnings: string[];
  /** Trimmed value, or undefined when unset or blank. */
  string(name: string): string | undefined;
  /** An integer in [min, max]. */
  int(name: string, fallback: number, min?: number, max?: number): number;
  /** A finite number in [min, max]. */
  number(name: string, fallback: number, min?: number, max?: number): number;
  /** One of `allowed` (case-sensitive). */
  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T;
  /** true/false, 1/0, yes/no, on/off (any case). */
  bool(name: string, fallback: boolean): boolean;
  /** A JSON value, optionally checked. */
  json<T>(name: string, fallback: T, check?: JsonCheck<T>): T;
  /** Adds a warning for a check the readers do not cover. */
  warn(message: string): void;
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

export function envReader(env: Env): EnvReader {
  const warnings: string[] = [];
  const warn = (message: string) => void warnings.push(message);
  const string = (name: string): string | undefined => env[name]?.trim() || undefined;
  const bad = (name: string, raw: string, expected: string, fallback: unknown): void =>
    warn(`${name}=${JSON.stringify(raw)} is not ${expected}; using ${typeof fallback === 'string' ? fallback : JSON.stringify(fallback)}`);
  const range = (min: number, max: number) => (min === -Infinity && max === Infinity ? '' : ` in [${min}, ${max}]`);

  const numeric = (integer: boolean) => (name: string, fallback: number, min = -Infinity, max = Infinity): number => {
    const raw = string(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if ((integer ? Number.isInteger(n) : Number.isFinite(n)) && n >= min && n <= max) return n;
    bad(name, raw, `${integer ? 'an integer' : 'a number'}${range(min, max)}`, fallback);
    return fallback;
  };

  return {
    warnings,
    warn,
    string,
    int: numeric(true),
    number: numeric(false),
    oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
      const raw = string(name);
      if (raw === undefined) return fallback;
      if ((allowed as readonly string[]).includes(raw)) return raw as T;
      bad(name, raw, `one of ${allowed.join(', ')}`, fallback);
      return fallback;
    },
    bool(name: string, fallback: boolean): boolean {
      const raw = string(name);
      if (raw === undefined) return fallback;
      const v = raw.toLowerCase();
      if (TRUE.has(v)) return true;
      if (FALSE.has(v)) return false;
      bad(name, raw, 'a boolean (true/false, 1/0, yes/no, on/off)', fallback);
      return fallback;
    },
    json<T>(name: string, fallback: T, check?: JsonCheck<T>): T {
      const raw = string(name);
      if (raw === undefined) return fallback;
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        bad(name, raw, check ? check.expected : 'valid JSON', fallback);
        return fallback;
      }
      if (check && !check.valid(parsed)) {
        bad(name, raw, check.expected, fallback);
        return fallback;
      }
      return parsed as T;
    },
  };
}
