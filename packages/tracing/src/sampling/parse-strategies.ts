import { ML_CONTEXT_KEYS } from '../attributes';
import { StrategiesFileError } from './errors';
import type {
  AdaptiveRule,
  JaegerOperationStrategy,
  JaegerServiceStrategy,
  JaegerStrategy,
  MlRule,
  MltraceSamplingExtension,
  SamplingStrategies,
} from './types';

export interface ParsedStrategies {
  strategies: SamplingStrategies;
  /** Non-fatal findings (unknown keys, duplicate services); the file is still used. */
  warnings: string[];
}

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
type Bad = (path: string, msg: string) => void;

/** Runs `fn` on each object of the array `o[key]`; returns false when the key is absent or not an array. */
function eachObject(o: Obj, key: string, path: string, bad: Bad, fn: (item: Obj, itemPath: string) => void): boolean {
  const list = o[key];
  const at = path ? `${path}.${key}` : key;
  if (list === undefined || list === null) return false;
  if (!Array.isArray(list)) {
    bad(at, 'must be an array');
    return false;
  }
  list.forEach((item: unknown, i) => (isObject(item) ? fn(item, `${at}[${i}]`) : bad(`${at}[${i}]`, 'must be an object')));
  return true;
}

/**
 * Validates a strategies document. Stricter than Jaeger on values (Jaeger silently
 * replaces a bad `type` by its 0.1 % default, which hides typos), as tolerant as
 * Jaeger on unknown keys (warned, not fatal) so a file Jaeger accepts stays usable.
 */
export function parseStrategies(doc: unknown, source: string): ParsedStrategies {
  const errors: string[] = [];
  const warnings: string[] = [];
  const bad: Bad = (path, msg) => void errors.push(`${path}: ${msg}`);
  const unknownKeys = (o: Obj, path: string, allowed: readonly string[]): void => {
    for (const k of Object.keys(o)) {
      if (!allowed.includes(k)) warnings.push(`${path ? `${path}.` : ''}${k}: unknown field, ignored (Jaeger ignores it too)`);
    }
  };
  const str = (o: Obj, key: string, path: string): string | undefined => {
    const v = o[key];
    if (typeof v !== 'string' || v === '') {
      bad(`${path}.${key}`, `must be a non-empty string (got ${JSON.stringify(v)})`);
      return undefined;
    }
    return v;
  };
  const num = (o: Obj, key: string, path: string, min: number, max: number): number | undefined => {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      const range = max === Infinity ? `>= ${min}` : `between ${min} and ${max}`;
      bad(`${path}.${key}`, `must be a number ${range} (got ${JSON.stringify(v)})`);
      return undefined;
    }
    return v;
  };
  const strategy = (o: Obj, path: string): JaegerStrategy | undefined => {
    const type = o.type;
    if (type !== 'probabilistic' && type !== 'ratelimiting') {
      bad(`${path}.type`, `must be "probabilistic" or "ratelimiting" (got ${JSON.stringify(type)})`);
      return undefined;
    }
    const param = num(o, 'param', path, 0, type === 'probabilistic' ? 1 : Infinity);
    if (param === undefined) return undefined;
    if (type === 'ratelimiting' && !Number.isInteger(param)) {
      warnings.push(`${path}.param: Jaeger truncates a ratelimiting param to an integer when it serves it (${param} → ${Math.trunc(param)}); mltrace uses ${param}`);
    }
    return { type, param };
  };

  const operationStrategies = (o: Obj, path: string): JaegerOperationStrategy[] | undefined => {
    const out: JaegerOperationStrategy[] = [];
    const present = eachObject(o, 'operation_strategies', path, bad, (item, p) => {
      unknownKeys(item, p, ['operation', 'type', 'param']);
      const operation = str(item, 'operation', p);
      const s = strategy(item, p);
      if (operation !== undefined && s) out.push({ operation, ...s });
    });
    return present ? out : undefined;
  };

  const serviceLike = (o: Obj, path: string, withService: boolean): JaegerServiceStrategy | undefined => {
    unknownKeys(o, path, withService ? ['service', 'type', 'param', 'operation_strategies'] : ['type', 'param', 'operation_strategies']);
    const service = withService ? str(o, 'service', path) : '';
    const s = strategy(o, path);
    const ops = operationStrategies(o, path);
    if (service === undefined || !s) return undefined;
    return ops ? { service, ...s, operation_strategies: ops } : { service, ...s };
  };

  if (!isObject(doc)) throw new StrategiesFileError(source, ['(root): must be a JSON object']);
  unknownKeys(doc, '', ['default_strategy', 'service_strategies', 'mltrace']);
  const out: SamplingStrategies = {};

  if (doc.default_strategy !== undefined && doc.default_strategy !== null) {
    if (!isObject(doc.default_strategy)) bad('default_strategy', 'must be an object');
    else {
      const d = serviceLike(doc.default_strategy, 'default_strategy', false);
      if (d) {
        const { service: _unused, ...rest } = d;
        out.default_strategy = rest;
      }
    }
  }

  const services: JaegerServiceStrategy[] = [];
  const seen = new Set<string>();
  const hasServices = eachObject(doc, 'service_strategies', '', bad, (item, p) => {
    const s = serviceLike(item, p, true);
    if (!s) return;
    if (seen.has(s.service)) warnings.push(`${p}.service: "${s.service}" is listed twice; the last entry wins (as in Jaeger)`);
    seen.add(s.service);
    services.push(s);
  });
  if (hasServices) out.service_strategies = services;

  if (doc.mltrace !== undefined) {
    const ext = parseExtension(doc.mltrace, bad, unknownKeys);
    if (ext) out.mltrace = ext;
  }

  if (errors.length > 0) throw new StrategiesFileError(source, errors);
  return { strategies: out, warnings };
}

function parseExtension(v: unknown, bad: Bad, unknownKeys: (o: Obj, path: string, allowed: readonly string[]) => void): MltraceSamplingExtension | undefined {
  if (!isObject(v)) {
    bad('mltrace', 'must be an object');
    return undefined;
  }
  unknownKeys(v, 'mltrace', ['ml_rules', 'adaptive']);
  const optService = (o: Obj, p: string): string | undefined => {
    if (o.service === undefined) return undefined;
    if (typeof o.service !== 'string' || o.service === '') bad(`${p}.service`, 'must be a non-empty string when given');
    return typeof o.service === 'string' ? o.service : undefined;
  };
  const prob = (o: Obj, key: string, p: string): number | undefined => {
    const x = o[key];
    if (x === undefined) return undefined;
    if (typeof x !== 'number' || !(x >= 0 && x <= 1)) bad(`${p}.${key}`, `must be a number between 0 and 1 (got ${JSON.stringify(x)})`);
    return typeof x === 'number' ? x : undefined;
  };

  const mlRule = (item: Obj, p: string): MlRule | undefined => {
    unknownKeys(item, p, ['service', 'match', 'probability']);
    const rule: MlRule = { match: {} };
    const service = optService(item, p);
    if (service !== undefined) rule.service = service;
    const probability = prob(item, 'probability', p);
    if (probability !== undefined) rule.probability = probability;
    if (!isObject(item.match) || Object.keys(item.match).length === 0) {
      bad(`${p}.match`, `must be a non-empty object of baggage key → value(s); keys: ${ML_CONTEXT_KEYS.join(', ')}`);
      return undefined;
    }
    for (const [key, val] of Object.entries(item.match)) {
      if (!(ML_CONTEXT_KEYS as readonly string[]).includes(key)) {
        bad(`${p}.match.${key}`, `unknown ML context key; use one of ${ML_CONTEXT_KEYS.join(', ')}`);
        continue;
      }
      const ok = typeof val === 'string' || (Array.isArray(val) && val.length > 0 && val.every((x) => typeof x === 'string'));
      if (!ok) bad(`${p}.match.${key}`, 'must be a string or a non-empty array of strings');
      else rule.match[key as keyof MlRule['match']] = val as string | string[];
    }
    return rule;
  };

  const adaptiveRule = (item: Obj, p: string): AdaptiveRule | undefined => {
    unknownKeys(item, p, ['service', 'operation', 'target_traces_per_second', 'min_probability', 'max_probability', 'window_ms', 'initial_probability']);
    if (typeof item.operation !== 'string' || item.operation === '') {
      bad(`${p}.operation`, 'must be a non-empty string (an operation name or "*")');
      return undefined;
    }
    const target = item.target_traces_per_second;
    if (typeof target !== 'number' || !(target > 0) || !Number.isFinite(target)) {
      bad(`${p}.target_traces_per_second`, `must be a number > 0 (got ${JSON.stringify(target)})`);
      return undefined;
    }
    const rule: AdaptiveRule = { operation: item.operation, target_traces_per_second: target };
    const service = optService(item, p);
    if (service !== undefined) rule.service = service;
    const min = prob(item, 'min_probability', p);
    const max = prob(item, 'max_probability', p);
    const initial = prob(item, 'initial_probability', p);
    if (min !== undefined) rule.min_probability = min;
    if (max !== undefined) rule.max_probability = max;
    if (initial !== undefined) rule.initial_probability = initial;
    if ((min ?? 0) > (max ?? 1)) bad(`${p}.min_probability`, `must not exceed max_probability (${min} > ${max ?? 1})`);
    const w = item.window_ms;
    if (w !== undefined) {
      if (typeof w !== 'number' || !Number.isInteger(w) || w < 100) bad(`${p}.window_ms`, `must be an integer >= 100 (got ${JSON.stringify(w)})`);
      else rule.window_ms = w;
    }
    return rule;
  };

  const ext: MltraceSamplingExtension = {};
  const mlRules: MlRule[] = [];
  const adaptive: AdaptiveRule[] = [];
  const keep = <T>(list: T[], x: T | undefined): void => void (x && list.push(x));
  if (eachObject(v, 'ml_rules', 'mltrace', bad, (item, p) => keep(mlRules, mlRule(item, p)))) ext.ml_rules = mlRules;
  if (eachObject(v, 'adaptive', 'mltrace', bad, (item, p) => keep(adaptive, adaptiveRule(item, p)))) ext.adaptive = adaptive;
  return ext;
}
