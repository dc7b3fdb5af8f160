/**
 * The planted fault scenarios: one row each, read by every service (which ones it plants and with
 * what settings), by docs/scenarios.md's test and by the workshop (where a learner should find it).
 * A service plants the scenarios whose `service` is its own and ignores the others.
 */

/** The services a scenario can be planted in. */
export type ScenarioService = 'gateway' | 'feature-store' | 'inference' | 'postprocess';

export interface ScenarioSpec {
  /** The service whose code plants the fault (and where a diagnosis should point). */
  service: ScenarioService;
  /** Span names in that service a correct diagnosis may name: where the planted time or failure is. */
  operations: readonly string[];
  /** The settings the planting code reads. */
  settings: Readonly<Record<string, number | string>>;
}

/** `satisfies` keeps each row's own settings type, so `SCENARIOS['slow-features'].settings.delayMs` is a number. */
export const SCENARIOS = {
  'slow-features': {
    service: 'feature-store',
    operations: ['BATCH HMGET', 'feature_extraction', 'POST /v1/features'],
    /** This share of lookups spends `delayMs` more inside the Redis client span (a slow replica). */
    settings: { fraction: 0.3, delayMs: 80 },
  },
  'n-plus-one': {
    service: 'feature-store',
    operations: ['hmget', 'feature_extraction', 'POST /v1/features'],
    /**
     * Each round trip also pays `roundTripMs` inside its Redis client span, as a Redis across a
     * network does (on loopback a round trip is ~0.1 ms, and an N+1 would cost almost nothing).
     */
    settings: { roundTripMs: 1 },
  },
  'hot-partition': {
    service: 'feature-store',
    operations: ['feature_extraction', 'POST /v1/features'],
    /**
     * Lookups for `region` (baggage) pay `delayMs` before the Redis call: enough that the feature
     * store, not the gateway waiting on it, tops the critical path on a busy 2-core host.
     */
    settings: { region: 'ap-south', delayMs: 80 },
  },
  'cold-model': {
    service: 'inference',
    operations: ['model_load', 'POST /v1/infer'],
    settings: {},
  },
  'model-regression': {
    service: 'inference',
    operations: ['model_prediction', 'POST /v1/infer'],
    /** Model `version` is `delayMs` slower, only for baggage customer_segment=`segment`. */
    settings: { version: 'v2', segment: 'enterprise', delayMs: 60 },
  },
  'sequential-calls': {
    service: 'gateway',
    operations: ['POST /v1/predict', 'POST'],
    settings: {},
  },
  'flaky-postprocess': {
    service: 'postprocess',
    operations: ['postprocess', 'POST /v1/postprocess'],
    /** Every `every`-th call fails, reproducibly. */
    settings: { every: 5 },
  },
  'dropped-context': {
    service: 'gateway',
    operations: ['POST', 'POST /v1/predict'],
    settings: {},
  },
} as const satisfies Record<string, ScenarioSpec>;

export type ScenarioName = keyof typeof SCENARIOS;

/** The names in table order. */
export const SCENARIO_NAMES = Object.keys(SCENARIOS) as ScenarioName[];

/** The names planted by `service`, as a union type. */
export type ScenarioOf<S extends ScenarioService> = {
  [N in ScenarioName]: (typeof SCENARIOS)[N]['service'] extends S ? N : never;
}[ScenarioName];

export function isScenarioName(name: string | null | undefined): name is ScenarioName {
  return name != null && Object.hasOwn(SCENARIOS, name);
}

/** The scenarios `service` plants, in table order. */
export function scenariosOf<S extends ScenarioService>(service: S): ScenarioOf<S>[] {
  return SCENARIO_NAMES.filter((n) => SCENARIOS[n].service === service) as ScenarioOf<S>[];
}

/**
 * `MLTRACE_SCENARIO` as `service` sees it: the name when that service plants it, else null
 * (the variable is shared by every service; names meant for the others are simply not ours).
 */
export function scenarioFor<S extends ScenarioService>(service: S, raw: string | null | undefined): ScenarioOf<S> | null {
  return isScenarioName(raw) && SCENARIOS[raw].service === service ? (raw as ScenarioOf<S>) : null;
}

/** One line per scenario, with its settings: the "the problem" column of docs/scenarios.md. */
export function describeScenario(name: ScenarioName): string {
  switch (name) {
    case 'slow-features': {
      const s = SCENARIOS[name].settings;
      return `${s.fraction * 100} % of feature lookups spend ${s.delayMs} ms more inside the Redis call (a slow replica, a cold cache)`;
    }
    case 'n-plus-one':
      return `one Redis round trip per entity instead of one pipelined round trip per request (each trip ${SCENARIOS[name].settings.roundTripMs} ms, as across a network)`;
    case 'hot-partition': {
      const s = SCENARIOS[name].settings;
      return `lookups for region \`${s.region}\` pay ${s.delayMs} ms extra before the Redis call (a hot shard); the load mix sends most traffic there`;
    }
    case 'cold-model':
      return 'the ONNX model is loaded and compiled again on every request instead of once';
    case 'model-regression': {
      const s = SCENARIOS[name].settings;
      return `model \`${s.version}\` is ${s.delayMs} ms slower, but only for \`customer_segment=${s.segment}\``;
    }
    case 'sequential-calls':
      return 'the feature lookup and the independent account-profile lookup run one after the other instead of concurrently';
    case 'flaky-postprocess':
      return `every ${ordinal(SCENARIOS[name].settings.every)} call fails with \`PP_FLAKY_FAILURE\` (500); the gateway answers 502 \`GW_DEPENDENCY_FAILED\``;
    case 'dropped-context':
      return "the call to postprocess leaves the request's context: no `traceparent`, no `baggage`";
  }
}

function ordinal(n: number): string {
  return `${n}${n % 10 === 1 && n % 100 !== 11 ? 'st' : n % 10 === 2 && n % 100 !== 12 ? 'nd' : n % 10 === 3 && n % 100 !== 13 ? 'rd' : 'th'}`;
}
